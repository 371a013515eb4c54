"""16 annotators writing beside an import of 5,000 documents, an export and ``agreement``: errors a user
would see, edits lost, commit latency; then key-to-screen latency of the real app in tmux during an import.

Writers: 16 processes of 500 edits each (tag 55 %, remove 20 %, undo 15 %, redo 10 %, on 20 shared
documents, each process its own layer), one edit every ``--pause`` seconds, through the screen's code
path: the writer thread the annotation screen hands its writes to (``annotator.store.writer``, the same
store calls; the key waits ``WRITE_WAIT_S`` as the screen's does, then the write is pending). On a tree
without that module (main before it) the screen wrote on its own thread with a 5 s busy timeout: the
same calls are made directly, and the time a call takes is what a key waited.

- errors reaching a user: writes that failed ("Not saved") plus commands alongside that exited non-zero;
- lost: per process, the layer as the process was told it is (each write's result applied in order, a
  failed one read back: what the screen shows) against the database, and each layer against its own
  action log replayed from nothing; any difference is counted;
- commit latency: from handing the write in to its commit (direct: the call's duration);
- keys: the real app in tmux, one key every 100 ms (``p`` then ``x`` on the first word: a tag and a
  removal, each a write) while another process imports 5,000 documents; latency from ``send-keys`` until
  the pane changes (``capture-pane`` polled).

    .venv/bin/python bench/concurrency.py [--writers 16] [--edits 500] [--import-docs 5000]
    bench/against.sh main bench/concurrency.py      # main's code with this script, then this tree's
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

if "PYTHONPATH" not in os.environ:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.text import tokenize

try:
    from annotator.store.writer import Writer
    from annotator.tui.screens.writing import WRITE_WAIT_S
except ImportError:  # a tree from before the writer: the screen wrote on its own thread
    Writer = None  # type: ignore[assignment, misc]
    WRITE_WAIT_S = 0.0

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("ACTOR", "PLACE", "EVENT")
SHARED_DOCS = 20


def words() -> list[str]:
    return (ROOT / "seeds" / "000_874653b030f5b32a.txt").read_text(encoding="utf-8").split()


def article(rng: random.Random, vocabulary: list[str], chars: int = 3000) -> str:
    out: list[str] = []
    while sum(map(len, out)) < chars:
        out.append(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 30))) + ".")
    return " ".join(out)[:chars]


def prepare(db: Path, sources: list[Path], import_docs: int) -> None:
    """200 documents, two annotator layers finished on 100 of them (for ``agreement``), and JSONL
    files of ``import_docs`` new documents each."""
    rng = random.Random(3)
    vocabulary = words()
    texts = [article(rng, vocabulary) for _ in range(200)]
    with Store(db) as store:
        store.documents.import_records(
            (ImportRecord(t, f"doc{i}", "bench") for i, t in enumerate(texts)), default_layer="nobody"
        )
        for layer in ("ann1", "ann2"):
            records = []
            for i, text in enumerate(texts[:100]):
                tokens = tokenize(text)
                picked = sorted(rng.sample(range(len(tokens)), 5))
                spans = [Span(*tokens[t], rng.choice(LABELS)) for t in picked]
                records.append(ImportRecord(text, f"doc{i}", "bench", spans=spans, layer=layer))
            store.documents.import_records(records, default_layer=layer)
    for n, source in enumerate(sources):
        with source.open("w", encoding="utf-8") as out:
            for i in range(import_docs):
                out.write(json.dumps({"id": f"new{n}-{i}", "text": article(rng, vocabulary)}) + "\n")


# --- one annotator process ------------------------------------------------------------------------


def annotator_process(db: Path, number: int, edits: int, pause: float, go: Path) -> dict[str, Any]:
    """500 edits as the screen makes them; what a user would have seen, and what was lost."""
    rng = random.Random(number)
    layer = f"w{number}"
    store = Store(db, create=False)
    doc_ids = store.documents.ids()[:SHARED_DOCS]
    tokens = {d: tokenize(store.documents.get(d).text) for d in doc_ids}
    shown: dict[int, set[tuple[int, int, str]]] = {d: set() for d in doc_ids}
    writer = Writer(db) if Writer is not None else None
    latencies: list[float] = []
    failures: list[str] = []
    pending_shown = 0
    in_flight: deque[tuple[Any, int, str, float]] = deque()

    def show(doc_id: int, op: str, result: Any) -> None:
        if op in ("undo", "redo"):
            if result is not None:  # the layer's (spans, rejections) after the step
                shown[doc_id] = {(s.start, s.end, s.label) for s in result[1][0]}
            return
        removed, added = result if op == "tag" else (result, [])
        shown[doc_id] -= {(s.start, s.end, s.label) for s in removed}
        shown[doc_id] |= {(s.start, s.end, s.label) for s in added}

    def failed(doc_id: int, message: str) -> None:
        failures.append(message)
        shown[doc_id] = {(s.start, s.end, s.label) for s in store.edits.spans(doc_id, layer)}

    def drain() -> None:
        while in_flight and in_flight[0][0].done():
            write, doc_id, op, _ = in_flight.popleft()
            if write.failure is not None:
                failed(doc_id, write.failure.reason)
                writer.acknowledge()  # type: ignore[union-attr]
                for _, later_doc, _, _ in in_flight:  # refused after it: all done
                    failed(later_doc, "not tried")
                in_flight.clear()
            else:
                assert write.committed is not None
                latencies.append(write.committed - write.submitted)
                show(doc_id, op, write.result())

    while not go.exists():
        time.sleep(0.01)
    for _ in range(edits):
        doc_id = rng.choice(doc_ids)
        roll = rng.random()
        have = sorted(shown[doc_id])
        if roll < 0.55 or (not have and roll < 0.75):
            op = "tag"
            start, end = rng.choice(tokens[doc_id])
            span = Span(start, end, rng.choice(LABELS))
            job: Any = lambda s, d=doc_id, sp=span: s.edits.tag(d, layer, [sp], who=layer)  # noqa: E731
        elif roll < 0.75:
            op = "remove"
            gone = [Span(*rng.choice(have))]
            if writer is not None:
                job = lambda s, d=doc_id, g=gone: s.edits.remove_present(d, layer, g, who=layer)  # noqa: E731
            else:
                job = lambda s, d=doc_id, g=gone: (s.edits.edit(d, layer, remove=g, who=layer), g)[1]  # noqa: E731
        else:
            op = "redo" if roll >= 0.9 else "undo"
            redo = op == "redo"
            if writer is not None:
                job = lambda s, d=doc_id, r=redo: s.edits.step(d, layer, r)  # noqa: E731
            else:

                def job(s: Store, d: int = doc_id, r: bool = redo) -> Any:
                    if not (s.edits.redo if r else s.edits.undo)(d, layer):
                        return None
                    return None, (s.edits.spans(d, layer), set())

        if writer is not None:
            drain()  # what landed meanwhile is shown (the screen does it as the messages come)
            write = writer.submit(op, job)
            if not (not in_flight and write.wait_unless_locked(WRITE_WAIT_S)):
                pending_shown += 1
            in_flight.append((write, doc_id, op, time.monotonic()))
            drain()
        else:
            started = time.monotonic()
            try:
                result = job(store)
            except sqlite3.OperationalError as err:
                failed(doc_id, str(err))
            else:
                latencies.append(time.monotonic() - started)
                show(doc_id, op, result)
        time.sleep(pause)
    if writer is not None:
        writer.flush()
        drain()
        writer.close()
    lost = sum(shown[d] != {(s.start, s.end, s.label) for s in store.edits.spans(d, layer)} for d in doc_ids)
    unlogged = sum(replayed(store, d, layer) != on_disk(store, d, layer) for d in doc_ids)
    store.close()
    return {
        "latencies": latencies,
        "failures": failures,
        "lost": lost,
        "unlogged": unlogged,
        "pending_shown": pending_shown,
    }


def on_disk(store: Store, doc_id: int, layer: str) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in store.edits.spans(doc_id, layer)}


def replayed(store: Store, doc_id: int, layer: str) -> set[tuple[int, int, str]]:
    """The layer's spans on the document from its action log alone: every live step, in order."""
    spans: set[tuple[int, int, str]] = set()
    for (data,) in store.conn.execute(
        "SELECT data FROM actions WHERE doc_id = ? AND layer = ? AND undone = 0 ORDER BY id", (doc_id, layer)
    ):
        step = json.loads(data)
        spans -= {(s["start"], s["end"], s["label"]) for s in step["removed"]}
        spans |= {(s["start"], s["end"], s["label"]) for s in step["added"]}
    return spans


# --- the run --------------------------------------------------------------------------------------


def cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "--db", str(db), "--user", "bench", *args]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def writers_run(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    db = work / "writers.db"
    shutil.copy(work / "base.db", db)
    go = work / "go"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                str(n),
                "--db",
                str(db),
                "--go",
                str(go),
                "--edits",
                str(args.edits),
                "--pause",
                str(args.pause),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(args.writers)
    ]
    time.sleep(3)  # every child has started (imported, opened the database)
    load = os.getloadavg()[0]
    go.touch()
    started = time.monotonic()
    time.sleep(1.0)
    alongside = {
        "import": subprocess.Popen(
            cli(db, "import", str(work / "new0.jsonl")),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ),
    }
    time.sleep(1.0)
    alongside["export"] = subprocess.Popen(
        cli(db, "export", "--format", "jsonl", "--layer", "ann1", "--out", str(work / "out.jsonl")),
        stderr=subprocess.PIPE,
        text=True,
    )
    alongside["agreement"] = subprocess.Popen(
        cli(db, "agreement"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    commands = {}
    for name, process in alongside.items():
        _, err = process.communicate()
        commands[name] = {"code": process.returncode, "stderr": err.strip()[-300:]}
    results = [json.loads(child.communicate()[0]) for child in children]
    elapsed = time.monotonic() - started
    latencies = [v for r in results for v in r["latencies"]]
    failures = [f for r in results for f in r["failures"]]
    return {
        "load_before": load,
        "seconds": elapsed,
        "edits": sum(len(r["latencies"]) + len(r["failures"]) for r in results),
        "failures": len(failures),
        "failure_kinds": sorted(set(failures))[:5],
        "commands_failed": [n for n, c in commands.items() if c["code"] != 0],
        "commands": commands,
        "lost": sum(r["lost"] for r in results),
        "unlogged": sum(r["unlogged"] for r in results),
        "pending_shown": sum(r["pending_shown"] for r in results),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
    }


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def press(session: str, key: str) -> float:
    """Send ``key`` to the app in tmux; seconds until the pane changed (10 at most)."""
    before = tmux("capture-pane", "-p", "-t", session)
    sent = time.monotonic()
    tmux("send-keys", "-t", session, key)
    while tmux("capture-pane", "-p", "-t", session) == before and time.monotonic() - sent < 10:
        time.sleep(0.002)
    return time.monotonic() - sent


def keys_run(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The real app in tmux, a key every 100 ms: 20 keys first with nothing else running (the floor),
    then while ``--imports`` imports of ``--import-docs`` documents run one after the other."""
    db = work / "keys.db"
    shutil.copy(work / "base.db", db)
    session = f"bench-concurrency-{os.getpid()}"
    env = f"PYTHONPATH={os.environ.get('PYTHONPATH', ROOT)}"
    command = f"cd {work} && {env} {' '.join(cli(db, 'annotate'))}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        deadline = time.monotonic() + 60
        while "document 1 of" not in tmux("capture-pane", "-p", "-t", session):
            if time.monotonic() > deadline:
                raise SystemExit("the app did not start: " + tmux("capture-pane", "-p", "-t", session))
            time.sleep(0.1)
        time.sleep(1.0)
        floor: list[float] = []
        for key in range(20):
            floor.append(press(session, "px"[key % 2]))
            time.sleep(max(0.0, 0.1 - floor[-1]))
        load = os.getloadavg()[0]
        latencies: list[float] = []
        codes = []
        for n in range(args.imports):
            source = work / f"new{n}.jsonl"
            importing = subprocess.Popen(cli(db, "import", str(source)), stdout=subprocess.DEVNULL)
            while importing.poll() is None:
                latencies.append(press(session, "px"[len(latencies) % 2]))
                time.sleep(max(0.0, 0.1 - latencies[-1]))
            codes.append(importing.wait())
        screen = tmux("capture-pane", "-p", "-t", session)
        said_not_saved = "Not saved" in screen
    finally:
        tmux("send-keys", "-t", session, "q")
        time.sleep(1.0)
        tmux("kill-session", "-t", session)
    return {
        "load_before": load,
        "floor_p50": percentile(floor, 0.5),
        "keys": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "import_codes": codes,
        "not_saved_on_screen_at_end": said_not_saved,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between one process's edits")
    parser.add_argument("--import-docs", type=int, default=5000)
    parser.add_argument("--imports", type=int, default=3, help="imports one after the other while keys come")
    parser.add_argument("--no-keys", action="store_true", help="skip the tmux key latency")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--go", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(annotator_process(args.db, args.child, args.edits, args.pause, args.go)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-concurrency-"))
    try:
        prepare(
            work / "base.db", [work / f"new{n}.jsonl" for n in range(max(args.imports, 1))], args.import_docs
        )
        mode = "writer thread" if Writer is not None else "direct, on the screen's thread (busy timeout 5 s)"
        print(f"writes: {mode}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} before")
        run = writers_run(work, args)
        print(
            f"{args.writers} writers x {args.edits} edits, import {args.import_docs}, export, agreement:"
            f" {run['seconds']:.1f} s, load {run['load_before']:.1f} at start\n"
            f"  errors reaching a user: {run['failures']} writes not saved {run['failure_kinds']},"
            f" commands failed {run['commands_failed']}\n"
            f"  lost: {run['lost']} documents whose layer differs from what the process was shown,"
            f" {run['unlogged']} whose layer differs from its log replayed\n"
            f"  commit latency: p50 {run['p50'] * 1000:.1f} ms, p99 {run['p99'] * 1000:.1f} ms,"
            f" max {run['max'] * 1000:.0f} ms; {run['pending_shown']} writes shown as pending"
        )
        for name, command in run["commands"].items():
            if command["code"] != 0:
                print(f"  {name} exit {command['code']}: {command['stderr']}")
        if not args.no_keys:
            keys = keys_run(work, args)
            print(
                f"keys in tmux: alone p50 {keys['floor_p50'] * 1000:.0f} ms; during {args.imports} imports of"
                f" {args.import_docs} documents, {keys['keys']} keys (p, x), load {keys['load_before']:.1f}:"
                f" p50 {keys['p50'] * 1000:.0f} ms, p99 {keys['p99'] * 1000:.0f} ms,"
                f" max {keys['max'] * 1000:.0f} ms; imports exit {keys['import_codes']};"
                f" 'Not saved' on screen at the end: {keys['not_saved_on_screen_at_end']}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
