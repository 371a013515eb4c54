"""Training the proposal model: the target's shape (the 22 dev documents, about 20,000 tokens, ≤ 3 s) and
the shape ``annotator train`` and the screen's retrain give it (6 of the team's news articles, and the
shipped corpus as another domain within ``annotator.training.TRAINING_TOKENS``), CPU and wall medians
over ``--rounds``, the model's size, and the load average before and after.

    .venv/bin/python bench/training.py [--db GAZETTEER_DB] [--rounds 7]
    PYTHON=$PWD/.venv/bin/python bench/against.sh main bench/training.py --db GAZETTEER_DB \
        --corpus ../shared/corpus/gum_dev.jsonl --rounds 7     # old and new side by side

``--db``: a database holding the GeoNames gazetteer (``annotator kb add-geonames``): the hints are the
gazetteer's, as in ``bench/model.py``; without it no gazetteer hints (learned strings only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# After PYTHONPATH: bench/against.sh runs this script on an older commit's code (it is newer than some).
sys.path.append(str(Path(__file__).resolve().parent.parent))

from annotator.kb import FuzzyIndex, KnowledgeBase
from annotator.store import Store
from annotator.tagger import Example, train
from annotator.text import tokenize
from annotator.training import examples, with_corpus
from bench.model import CORPUS, load_corpus


def measure(name: str, shape: list[Example], rounds: int) -> None:
    tokens = sum(len(tokenize(e.text)) for e in shape)
    walls, cpus, size = [], [], 0
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        model = train(shape)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        size = len(model.data)
    print(f"| {name} | {len(shape)} | {tokens:,} | {statistics.median(cpus):.2f} s |"
          f" {statistics.median(walls):.2f} s | {size / 1024:.0f} KB |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    index: FuzzyIndex | None = None
    if args.db is not None:
        with Store(args.db) as store:
            index = KnowledgeBase.load(store.kb).index
    team, held, starter_docs = load_corpus(args.corpus)
    everything = team + held
    load = os.getloadavg()[0]
    print(f"load average {load:.2f}; medians of {args.rounds}")
    print("| shape | documents | tokens | CPU | wall | model |\n|---|---|---|---|---|---|")
    measure("the target's: every dev document", examples(everything, index, everything), args.rounds)
    news = team[:6]
    production = with_corpus(examples(news, index, news), starter_docs, index)
    measure("annotator train: 6 news articles + the corpus as another domain", production, args.rounds)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
