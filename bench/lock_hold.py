"""How long a long writer holds the write lock: another process takes the lock every 5 ms (``BEGIN
IMMEDIATE``, commit) while one ``import`` of 20,000 JSONL articles, then one ``merge`` of a 20,000-document
database into a 10,000-document one, runs; its longest wait is the longest time the lock was held.

    .venv/bin/python bench/lock_hold.py [--docs 20000]
    bench/against.sh main bench/lock_hold.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

if "PYTHONPATH" not in os.environ:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.model import ImportRecord, Span
from annotator.store import Store
from bench.corpus import write_jsonl

ROOT = Path(__file__).resolve().parent.parent


def cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "--db", str(db), *args]


def longest_wait(db: Path, command: list[str]) -> tuple[float, float]:
    """Run ``command`` while a thread takes the lock of ``db`` every 5 ms: (its seconds, longest wait)."""
    stop = threading.Event()
    waits: list[float] = []

    def probe() -> None:
        conn = sqlite3.connect(db, isolation_level=None, timeout=60)
        while not stop.is_set():
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
            waits.append(time.perf_counter() - started)
            time.sleep(0.005)
        conn.close()

    thread = threading.Thread(target=probe)
    thread.start()
    time.sleep(0.5)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    return elapsed, max(waits)


def records(lines: list[str], layer: str) -> list[ImportRecord]:
    out = []
    for line in lines:
        record = json.loads(line)
        text = record["text"]
        out.append(
            ImportRecord(text, record["id"], "bench", spans=[Span(0, text.index(" "), "ACTOR")], layer=layer)
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-lock-"))
    try:
        source = write_jsonl(work / "docs.jsonl", args.docs)
        db = work / "import.db"
        subprocess.run(cli(db, "import", str(ROOT / "seeds")), check=True, stdout=subprocess.DEVNULL)
        seconds, held = longest_wait(db, cli(db, "import", str(source)))
        print(f"import of {args.docs} documents: {seconds:.2f} s, the lock held at most {held:.2f} s")
        lines = source.read_text(encoding="utf-8").splitlines()
        theirs, ours = work / "theirs.db", work / "ours.db"
        with Store(theirs) as store:
            store.documents.import_records(records(lines, "bob"), "bob")
        with Store(ours) as store:
            store.documents.import_records(records(lines[: len(lines) // 2], "alice"), "alice")
        seconds, held = longest_wait(ours, cli(ours, "merge", str(theirs)))
        print(
            f"merge of {args.docs} documents into {args.docs // 2}: {seconds:.2f} s,"
            f" the lock held at most {held:.2f} s"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
