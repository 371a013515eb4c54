"""Export of 1,000,000 tokens with 50,000 spans: tokens per second and peak memory, per format.

Side by side in the same run: reading the same rows alone (the two ordered scans the export makes, with
nothing done to them) and writing the export's bytes from memory in one call; those are the physical
limits. Each measurement is a fresh subprocess (its own peak RSS), timed around the export call itself
(Python start-up and imports excluded; the command line's wall time is given once for scale). The first
export of a database fills the token cache; it is measured separately ("cold").

    .venv/bin/python bench/export.py [--tokens 1000000] [--big 10000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from annotator import formats
from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.text import tokenize
from bench.corpus import articles

SPANS_PER_TOKEN = 0.05
LABELS = ("ACTOR", "PLACE", "EVENT")

# Each prints: seconds, tokens, peak MB (RSS, here and below unless said).
EXPORT = r"""
import resource, sys, time
from pathlib import Path
from annotator.export import ExportRequest, export
from annotator.store import Store
db, fmt, out = sys.argv[1:4]
store = Store(db)
t = time.perf_counter()
summary = export(store, ExportRequest(fmt=fmt, user="x", layer="gold", out=Path(out)))
elapsed = time.perf_counter() - t
print(elapsed, summary.tokens, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

# Python's own allocations during one export (tracemalloc), without the interpreter and modules: what
# would grow with the corpus if anything were kept. Slower under tracing, so not timed.
TRACED = r"""
import sys, tracemalloc
from pathlib import Path
from annotator.export import ExportRequest, export
from annotator.store import Store
db, fmt, out = sys.argv[1:4]
store = Store(db)
tracemalloc.start()
summary = export(store, ExportRequest(fmt=fmt, user="x", layer="gold", out=Path(out)))
print(0, summary.tokens, tracemalloc.get_traced_memory()[1] / 2**20)
"""

READ_ROWS = r"""
import resource, sys, time
from annotator.store import Store
from annotator.text import tokenizer_fingerprint
store = Store(sys.argv[1])
version = tokenizer_fingerprint()
t = time.perf_counter()
count = 0
for row in store.exports.rows("gold", "worked", version):
    count += len(row.tokens) // 8
elapsed = time.perf_counter() - t
print(elapsed, count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

WRITE_ONCE = r"""
import os, resource, sys, time
data = open(sys.argv[1], "rb").read()
t = time.perf_counter()
with open(sys.argv[2], "wb") as out:
    out.write(data)
elapsed = time.perf_counter() - t
os.unlink(sys.argv[2])
print(elapsed, 0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def build(path: Path, tokens_wanted: int, seed: int = 1) -> int:
    """A database of synthetic articles holding ``tokens_wanted`` tokens, 5% of them starting a span."""
    rng = random.Random(seed)
    total = 0

    def records():
        nonlocal total
        for i, article in enumerate(articles(10**9, 3000, seed)):
            if total >= tokens_wanted:
                return
            text = f"{article} #{i}"  # each text unique, or the store would keep one copy
            tokens = tokenize(text)
            total += len(tokens)
            count = round(len(tokens) * SPANS_PER_TOKEN)
            starts = sorted(rng.sample(range(0, len(tokens) - 3, 3), count))
            spans = []
            for first in starts:
                last = first + rng.randint(1, 3)  # disjoint: starts are 3 apart
                spans.append(Span(tokens[first][0], tokens[last - 1][1], rng.choice(LABELS)))
            yield ImportRecord(text=text, key=f"a{i}", source="bench", spans=spans)

    with Store(path) as store:
        store.documents.import_records(records(), default_layer="gold")
    return total


def run(script: str, *args: str) -> tuple[float, int, float]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def cli_seconds(db: Path, fmt: str, out: Path) -> float:
    annotator = Path(sys.executable).parent / "annotator"
    t = time.perf_counter()
    subprocess.run(
        [str(annotator), "--db", str(db), "export", "--format", fmt, "--layer", "gold", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def measure(
    db: Path, folder: Path, repeat: int, docbin: bool = True
) -> dict[str, tuple[float, float, float, int]]:
    """name -> (median seconds, p95-ish worst seconds, peak MB, tokens); ``docbin``: the spaCy DocBin
    export too (where this checkout has it; it is built in memory, so not at the big size)."""
    results: dict[str, list[tuple[float, int, float]]] = {}
    conll, jsonl = folder / "out.conll", folder / "out.jsonl"
    results["conll, cold (fills the token cache)"] = [run(EXPORT, str(db), "conll", str(conll))]
    for _ in range(repeat):
        results.setdefault("conll", []).append(run(EXPORT, str(db), "conll", str(conll)))
        results.setdefault("jsonl", []).append(run(EXPORT, str(db), "jsonl", str(jsonl)))
        results.setdefault("doccano", []).append(run(EXPORT, str(db), "doccano", str(folder / "d.jsonl")))
        if docbin and "spacy" in formats.writer_names():
            results.setdefault("spacy (DocBin)", []).append(
                run(EXPORT, str(db), "spacy", str(folder / "d.spacy"))
            )
        results.setdefault("reading the rows alone", []).append(run(READ_ROWS, str(db)))
        results.setdefault("writing the CoNLL bytes in one call", []).append(
            run(WRITE_ONCE, str(conll), str(folder / "copy"))
        )
        results.setdefault("writing the JSONL bytes in one call", []).append(
            run(WRITE_ONCE, str(jsonl), str(folder / "copy"))
        )
    for fmt in ("conll", "jsonl"):
        results[f"{fmt}, traced Python peak"] = [run(TRACED, str(db), fmt, str(folder / f"t.{fmt}"))]
    return {
        name: (
            statistics.median(r[0] for r in runs),
            max(r[0] for r in runs),
            max(r[2] for r in runs),
            max(r[1] for r in runs),
        )
        for name, runs in results.items()
    }


def table(results: dict[str, tuple[float, float, float, int]], tokens: int, small: dict | None) -> None:
    head = f"{'':40} {'seconds':>8} {'worst':>8} {'tokens/s':>12} {'peak MB':>8}"
    print(head + (f" {'vs 1st size':>11}" if small else ""))
    for name, (median, worst, peak, _) in results.items():
        speed = f"{tokens / median:12,.0f}" if median else f"{'':12}"
        ratio = f" {peak / small[name][2]:11.2f}" if small else ""
        print(f"{name:40} {median:8.3f} {worst:8.3f} {speed} {peak:8.1f}{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000, help="the size compared for peak memory")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        t = time.perf_counter()
        tokens = build(db, args.tokens)
        print(f"built {tokens:,} tokens in {time.perf_counter() - t:.1f} s")
        small = measure(db, folder, args.repeat)
        print(f"\n{tokens:,} tokens, {round(tokens * SPANS_PER_TOKEN):,} spans, median of {args.repeat}:")
        table(small, tokens, None)
        rows = small["reading the rows alone"][0]
        for fmt, name in (("conll", "CoNLL"), ("jsonl", "JSONL")):
            base = small[fmt][0]
            once = small[f"writing the {name} bytes in one call"][0]
            print(f"{fmt}: {base / rows:.1f}x reading the rows alone, {base / once:.0f}x one write()")
        print(f"command line, conll, wall time: {cli_seconds(db, 'conll', folder / 'cli.conll'):.3f} s")
        if args.big:
            big_db = folder / "big.db"
            t = time.perf_counter()
            big_tokens = build(big_db, args.big)
            print(f"\nbuilt {big_tokens:,} tokens in {time.perf_counter() - t:.1f} s; one run each:")
            big = measure(big_db, folder, 1, docbin=False)
            table(big, big_tokens, {name: row for name, row in small.items() if name in big})


if __name__ == "__main__":
    main()
