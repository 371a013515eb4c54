"""Garbage-collection pauses and resident memory on the annotation screen while keys keep coming.

A copy of a database whose knowledge base is built (``annotator kb add-geonames --min-population 15000``
is enough), with a 20,000-word article of 2,000 spans added, opened on the annotation screen at 120x40
under Pilot. Once the KB has loaded, a scripted burst of keys (moves, extends, page downs, tags, undo)
is pressed for ``--seconds`` at one key per ``--interval`` seconds: longer than 30 s, so any collection
forced on a timer falls inside it. Every collection is timed through ``gc.callbacks``; the resident
set size is read from /proc at every key.

    .venv/bin/python bench/gc_pauses.py --db /tmp/geo.db [--seconds 40] [--interval 0.03]

The code measured is the one on ``PYTHONPATH`` when it is set (another checkout), else this one's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.model import ImportRecord
from annotator.store import Store
from annotator.tui.app import make_app
from bench.tui import SIZE, make_article

PAGE = os.sysconf("SC_PAGE_SIZE")
BURST = ["shift+right"] * 6 + ["right", "pagedown", "p", "right", "right", "a", "u", "left", "e"]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


class Pauses:
    """Every collection's generation and length, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.found: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.found.append((info["generation"], (time.perf_counter() - self._started) * 1000))


def prepare(kb_db: Path, folder: Path) -> Path:
    db = folder / "gc.db"
    shutil.copy(kb_db, db)
    index = kb_db.with_name(f"{kb_db.name}.kbindex")
    if index.exists():
        shutil.copytree(index, db.with_name(f"{db.name}.kbindex"))
    text, spans = make_article()
    with Store(db) as store:
        store.documents.import_records(
            [ImportRecord(text=text, key="long", source="bench")], default_layer="bench"
        )
        doc = store.documents.id_of("long")
        with store.transaction():
            store.layers.ensure("bench")
            store.conn.executemany(
                'INSERT INTO spans (doc_id, layer, start, "end", label, source, created)'
                " VALUES (?, ?, ?, ?, ?, ?, 0)",
                [(doc, "bench", s.start, s.end, s.label, "manual") for s in spans],
            )
    return db


async def run(db: Path, seconds: float, interval: float) -> dict[str, Any]:
    store = Store(db)
    app = make_app(store, "bench")
    pauses = Pauses()
    keys: list[float] = []
    memory: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        loaded = time.monotonic()
        while getattr(app.screen, "kb", None) is None:
            if time.monotonic() - loaded > 300:
                raise SystemExit("the knowledge base did not load in 300 s")
            await pilot.pause(0.1)
        loaded = time.monotonic() - loaded
        await pilot.pause(1.5)  # the first proposals, and an idle moment as after opening a document
        gc.callbacks.append(pauses)
        tracked = len(gc.get_objects())
        memory.append(rss_mb())
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < seconds:
            key = BURST[n % len(BURST)]
            n += 1
            t = time.perf_counter()
            await pilot.press(key)
            keys.append((time.perf_counter() - t) * 1000)
            memory.append(rss_mb())
            await asyncio.sleep(interval)
        gc.callbacks.remove(pauses)
        tracked_after = len(gc.get_objects())
        frozen = gc.get_freeze_count()
    store.close()
    return {
        "pauses": pauses.found,
        "keys": keys,
        "memory": memory,
        "kb_load_s": loaded,
        "tracked": (tracked, tracked_after, frozen),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="a database with its KB built")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--interval", type=float, default=0.03)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = prepare(args.db, Path(tmp))
        found = asyncio.run(run(db, args.seconds, args.interval))
    pauses, keys, memory = found["pauses"], found["keys"], found["memory"]
    ordered = sorted(keys)
    print(f"KB loaded in {found['kb_load_s']:.1f} s; {len(keys)} keys in {args.seconds:.0f} s")
    print(
        f"key (press to handled): median {statistics.median(keys):.1f} ms"
        f"  p95 {ordered[round(0.95 * (len(ordered) - 1))]:.1f} ms  worst {ordered[-1]:.1f} ms"
    )
    for generation in (0, 1, 2):
        mine = [ms for g, ms in pauses if g == generation]
        if mine:
            print(
                f"gen {generation} collections: {len(mine):5d}  total {sum(mine):8.1f} ms"
                f"  median {statistics.median(mine):6.2f} ms  longest {max(mine):8.1f} ms"
            )
        else:
            print(f"gen {generation} collections:     0")
    tracked, tracked_after, frozen = found["tracked"]
    print(
        f"objects a collection traverses: {tracked:,} at the first key, {tracked_after:,} at the last"
        f" ({frozen:,} frozen, traversed by none)"
    )
    print(
        f"resident memory: {memory[0]:.0f} MB at the first key, {memory[-1]:.0f} MB at the last"
        f", peak {max(memory):.0f} MB"
    )


if __name__ == "__main__":
    main()
