"""The large hostile cases, generated here rather than kept in git: a 10 MB article on one line and
100,000 tiny documents (with markup, escape sequences and bidi controls in their texts): import,
export, stats, and the annotation screen with the big article: its first frame (in a pseudo-terminal,
from spawning the process) and peak memory, then in Pilot at 80x24 and 120x40 the work per key (as
bench/tui.py counts it: the action and the screen updates) for page down, G, a tag and its undo at the
end and at the start of the text (after the proposals of the part of the text gone to have come: their
handler and screen updates are counted apart), and the peak memory after them.

    .venv/bin/python bench/hostile.py [--mb 10] [--documents 100000] [--screen-only]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HOSTILE = ["[/]", "[link=https://x]y[/link]", "\x1b]0;pwned\x07", "\x9b31m", "\u202e", "東京", "👩\u200d🔬"]
WORDS = [
    "Troops",
    "left",
    "Gubadli",
    "for",
    "Baku",
    "after",
    "talks",
    "in",
    "Stepanakert",
    "with",
    "the",
    "monitors",
]


def cli(db: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "--user", "alice", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stderr}")
    return seconds


KEYS = r"""
import asyncio, resource, statistics, sys, time
sys.path.insert(0, sys.argv[3])
from bench.tui import Meter, instrument
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
WAIT = ("the window's proposals arriving", "")
PLAN = [("page down", "pagedown")] * 10 + [("G (end)", "G"), WAIT, ("tag at the end", "p"), ("undo", "u")]
PLAN += [("shift+right", "shift+right")] * 10 + [("ctrl+home", "ctrl+home"), WAIT, ("tag at the start", "a")]
PLAN += [("undo", "u")]
async def main():
    width, height = map(int, sys.argv[2].split("x"))
    app = make_app(Store(sys.argv[1]), "alice")
    meter = Meter()
    instrument(app, meter)
    meter.wrap(AnnotateScreen, "on_proposals_found")  # they come in a message, between keys
    times = {}
    async with app.run_test(size=(width, height)) as pilot:
        started = time.perf_counter()
        while not getattr(app.screen, "_proposed", None) and time.perf_counter() - started < 120:
            await asyncio.sleep(0.05)
        proposals = time.perf_counter() - started
        await pilot.pause()
        meter.take()
        for name, key in PLAN:
            if key:
                await pilot.press(key)
            else:  # the proposals of the part of the text the cursor went to, from their thread
                asked, waited = app.screen._proposed, time.perf_counter()
                while app.screen._proposed is asked and time.perf_counter() - waited < 30:
                    await asyncio.sleep(0.05)
            await pilot.pause()
            times.setdefault(name, []).append(meter.take() * 1000)
        await asyncio.sleep(2)  # the proposals asked again after the edits (in their thread)
    print(f"{width}x{height}: proposals shown {proposals:.1f} s after the first frame;", end=" ")
    print(", ".join(f"{n} {statistics.median(t):.1f} ms" for n, t in times.items()), end="; ")
    print(f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
asyncio.run(main())
"""


def first_frame(db: Path) -> tuple[float, float]:
    """Seconds from spawning ``annotator annotate`` to its first painted frame with the big article (in
    a pseudo-terminal, 120x40) and the peak RSS then, in MB: the median of three runs."""
    from bench.tui import FIRST_FRAME, run_in_pty

    peak = "{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}"
    written = f'import resource; out.write(f"{{time.time() - t0:.4f}} {peak}")'
    script = FIRST_FRAME.replace('out.write(f"{time.time() - t0:.4f}")', written)
    script = script.replace('"--user", "bench"', '"--user", "alice"')
    runs = []
    report = db.with_suffix(".frame")
    for _ in range(3):
        argv = [
            sys.executable,
            "-c",
            script,
            str(db),
            repr(time.time()),
            str(report),
            "AnnotateScreen",
            "annotate",
        ]
        run_in_pty(argv, (120, 40), 120)
        seconds, kb = report.read_text().split()
        runs.append((float(seconds), int(kb) / 1024))
    return sorted(runs)[1]


def keys(db: Path, size: str) -> str:
    """The work per key in Pilot at ``size`` (a fresh process each), and its peak memory."""
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", KEYS, str(db), size, root], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return done.stdout.strip()


def tiny_documents(root: Path, documents: int) -> None:
    """Import, export and stats of ``documents`` tiny documents."""
    tiny = root / "tiny.jsonl"
    with tiny.open("w", encoding="utf-8") as stream:
        for i in range(documents):
            word = WORDS[i % len(WORDS)]
            text = f"{word} {HOSTILE[i % len(HOSTILE)]} {i}"
            spans = [{"start": 0, "end": len(word), "label": "PLACE"}]
            stream.write(json.dumps({"text": text, "id": f"t{i}", "spans": spans}, ensure_ascii=False) + "\n")
    many = root / "many.db"
    print(f"import, {documents:,} tiny documents: {cli(many, 'import', str(tiny)):.2f} s")
    out = root / "out"
    for fmt in ("jsonl", "conll", "brat"):
        seconds = cli(many, "export", "--format", fmt, "--all", "--out", str(out / fmt))
        print(f"export {fmt}, {documents:,} tiny documents: {seconds:.2f} s")
    print(f"stats, {documents:,} tiny documents: {cli(many, 'stats'):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--screen-only", action="store_true", help="only the big article on the screen")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        big = root / "big.jsonl"
        words = []
        size = 0
        n = 0
        while size < args.mb * 1_000_000:
            word = HOSTILE[n % len(HOSTILE)] if n % 97 == 0 else WORDS[n % len(WORDS)]
            words.append(word)
            size += len(word.encode()) + 1
            n += 1
        big.write_text(json.dumps({"text": " ".join(words), "id": "big"}, ensure_ascii=False) + "\n", "utf-8")
        one = root / "one.db"
        print(f"import, one {args.mb} MB one-line article: {cli(one, 'import', str(big)):.2f} s")
        if not args.screen_only:
            tiny_documents(root, args.documents)
        seconds, mb = first_frame(one)
        print(
            f"annotation screen, first frame with the {args.mb} MB article: {seconds:.2f} s, {mb:.0f} MB peak"
        )
        for size in ("80x24", "120x40"):
            print(keys(one, size))
        print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
