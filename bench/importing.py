"""Import of 50,000 JSONL articles (~3,000 characters): documents per second and peak memory.

Compared in the same run with a plain sqlite-utils ``insert_all`` of the same rows (WAL mode), which is
the floor a library user would write. Each measurement runs in a fresh subprocess, alternating, so the
peak RSS is that command's own.

    .venv/bin/python bench/importing.py [--docs 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.corpus import write_jsonl

BASELINE = r"""
import hashlib, json, sys, time
import sqlite_utils
src, db_path = sys.argv[1], sys.argv[2]
db = sqlite_utils.Database(db_path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
def rows():
    with open(src, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            t = r["text"]
            yield {"key": r["id"], "text": t, "hash": hashlib.blake2b(t.encode(), digest_size=16).hexdigest(),
                   "source": src, "meta": json.dumps(r["meta"]), "created": time.time()}
db["documents"].insert_all(rows(), pk="id", batch_size=1000)
"""

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def measure(command: list[str]) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    seconds, peak_mb = out.stdout.split()
    return float(seconds), float(peak_mb)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = write_jsonl(Path(tmp) / "articles.jsonl", args.docs)
        size_mb = source.stat().st_size / 1e6
        ours: list[tuple[float, float]] = []
        base: list[tuple[float, float]] = []
        for i in range(args.repeat):
            db = Path(tmp) / f"ours{i}.db"
            ours.append(measure([sys.executable, "-m", "annotator", "--db", str(db), "import", str(source)]))
            db = Path(tmp) / f"base{i}.db"
            base.append(measure([sys.executable, "-c", BASELINE, str(source), str(db)]))
        ours_s = statistics.median(s for s, _ in ours)
        base_s = statistics.median(s for s, _ in base)
        print(
            f"corpus: {args.docs} JSONL articles, {size_mb:.0f} MB;"
            f" median of {args.repeat} runs, each a process"
        )
        print(
            f"annotator import      {ours_s:6.2f} s  {args.docs / ours_s:8.0f} docs/s"
            f"  peak {max(m for _, m in ours):5.0f} MB"
        )
        print(
            f"sqlite-utils insert_all {base_s:4.2f} s  {args.docs / base_s:8.0f} docs/s"
            f"  peak {max(m for _, m in base):5.0f} MB"
        )
        print(f"ratio (annotator / insert_all, docs/s): {base_s / ours_s:.2f}")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - t0:.0f} s)")
