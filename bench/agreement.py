"""Teams at scale: 10,000 documents × 3 annotators × 20 spans each.

Times, each a fresh ``annotator`` process end to end (median and worst wall-clock of ``--repeat`` runs,
and the median CPU time, which a busy shared machine disturbs less):
``agreement --json`` (target ≤ 5 s), ``disagreements --json`` (≤ 5 s), ``merge`` of two
10,000-document databases (≤ 10 s; a fresh copy of the target each run), and the review screen
(process start to its first painted frame, ≤ 1 s, and to the frame showing the worst document, in a
pseudo-terminal; "CPU" there is wall time). Side by side, the floors the
commands stand on, in this process: reading the finished layers out of SQLite, and tokenizing every
text (the token measures need every token of every shared document).

    .venv/bin/python bench/agreement.py [--docs 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from annotator.agreement import review_order
from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.text import tokenize
from bench.corpus import articles
from bench.tui import first_frame

LABELS = ("ACTOR", "PLACE", "EVENT")
SPANS = 20


def entities(rng: random.Random, tokens: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """SPANS non-overlapping spans of 1–3 tokens: what the annotators were asked to find."""
    slots = sorted(rng.sample(range(0, len(tokens) - 3, 4), SPANS))
    return [(first, first + rng.randint(0, 2), rng.choice(LABELS)) for first in slots]


def annotate(
    rng: random.Random, tokens: list[tuple[int, int]], truth: list[tuple[int, int, str]]
) -> list[Span]:
    """One annotator's 20 spans: mostly the truth, some with another label, boundary or a miss."""
    spans = []
    for first, last, label in truth:
        roll = rng.random()
        if roll < 0.06:
            first, last = first + 3, first + 3  # missed it, tagged a word nearby instead
        elif roll < 0.13:
            label = rng.choice([x for x in LABELS if x != label])
        elif roll < 0.20:
            last = min(last + 1, len(tokens) - 1)
        spans.append(Span(tokens[first][0], tokens[last][1], label))
    return spans


def build(path: Path, n: int, layers: dict[str, str], differing: str | None = None, first: int = 0) -> None:
    """``layers`` maps a layer to its random seed; the ``differing`` layer takes another seed on every
    tenth document (the same annotator's other machine: a conflict for merge)."""
    records = []
    for i, text in enumerate(articles(first + n, 3000, seed=1)):
        if i < first:
            continue
        tokens = tokenize(text)
        truth = entities(random.Random(i), tokens)
        for layer, seed in layers.items():
            rng = random.Random(f"{seed}-{i}-{'x' if layer == differing and i % 10 == 0 else ''}")
            records.append(
                ImportRecord(text, f"a{i}", "bench", spans=annotate(rng, tokens, truth), layer=layer)
            )
    with Store(path) as store:
        store.documents.import_records(records, default_layer=next(iter(layers)))


def timed(command: list[str]) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def line(name: str, runs: list[tuple[float, float]], target: float | None) -> None:
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    verdict = "" if target is None else f"  target ≤ {target:g} s: {'met' if wall <= target else 'NOT met'}"
    print(
        f"{name:34s} median {wall:6.2f} s  worst {max(w for w, _ in runs):6.2f} s  CPU {cpu:6.2f} s{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "annotator"]
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "ours.db", Path(tmp) / "theirs.db"
        t = time.perf_counter()
        build(ours, args.docs, {"alice": "alice", "bob": "bob", "carol": "carol"})
        # The other machine: half the same documents and half new ones, bob's layer again (a tenth of it
        # different: conflicts, the later edit wins) and a fourth annotator.
        build(theirs, args.docs, {"bob": "bob", "dave": "dave"}, differing="bob", first=args.docs // 2)
        print(f"built two databases of {args.docs} documents in {time.perf_counter() - t:.0f} s")
        with Store(ours) as store:
            t, cpu = time.perf_counter(), time.process_time()
            finished = list(store.teams.finished_documents())
            read_s = time.perf_counter() - t
            read_cpu = time.process_time() - cpu
            spans = sum(len(s) for d in finished for s in d.layers.values())
            chars = sum(len(d.text) for d in finished)
            t, cpu = time.perf_counter(), time.process_time()
            review_order(store.teams.review_counts())
            order = (time.perf_counter() - t, time.process_time() - cpu)
            t, cpu = time.perf_counter(), time.process_time()
            for document in finished:
                tokenize(document.text)
            tokenize_s = time.perf_counter() - t
            tokenize_cpu = time.process_time() - cpu
        print(f"{len(finished)} finished documents, {spans} spans, {chars / 1e6:.1f} M characters")
        agreement: list[tuple[float, float]] = []
        disagreements: list[tuple[float, float]] = []
        merge: list[tuple[float, float]] = []
        for i in range(args.repeat):
            agreement.append(timed([*cli, "--db", str(ours), "agreement", "--json"]))
            disagreements.append(timed([*cli, "--db", str(ours), "disagreements", "--json"]))
            target = Path(tmp) / f"merge{i}.db"
            shutil.copy(ours, target)
            merge.append(timed([*cli, "--db", str(target), "merge", str(theirs)]))
        runs = max(args.repeat, 3)
        frames = first_frame(ours, runs=runs, screen="ReviewScreen", command="review")
        ready = first_frame(ours, runs=runs, screen="ReviewScreen+review", command="review")
        print(f"median and worst of {args.repeat} runs, each a process:")
        line("agreement --json", agreement, 5)
        line("disagreements --json", disagreements, 5)
        line(f"merge (2 × {args.docs} documents)", merge, 10)
        line("review screen, first frame", [(f, f) for f in frames], 1)
        line("review screen, worst document shown", [(f, f) for f in ready], None)
        print("floors, in this process:")
        line("read finished layers (store)", [(read_s, read_cpu)], None)
        line("tokenize every text", [(tokenize_s, tokenize_cpu)], None)
        line("review_order(teams.review_counts()) (review queue)", [order], None)
        cpu = statistics.median(c for _, c in agreement)
        print(f"agreement CPU / (read + tokenize every text) CPU: {cpu / (read_cpu + tokenize_cpu):.2f}")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores, shared)")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - t0:.0f} s)")
