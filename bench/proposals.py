"""Proposing a whole article again, as the annotation screen does (in its look-up thread) after an edit.

The benchmark article of bench/tui.py (19,000 words, 2,000 spans) with the first 500 of its spans
learned, proposed against the gazetteer of ``--db`` (GeoNames places of 15,000 people or more when no
database is given: built in a temporary one first, about 10 s), and against learned text only; then the
seed article (600 words) the same way. Median of ``--runs``.

    .venv/bin/python bench/proposals.py [--db PATH] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from annotator.kb import KnowledgeBase  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest import propose  # noqa: E402
from bench.corpus import SEED  # noqa: E402
from bench.tui import make_article  # noqa: E402


def timed(text: str, kb: KnowledgeBase, runs: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(propose(text, kb))
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, help="a database that already holds the gazetteer")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            from annotator.kb.sources import geonames_entries

            db = Path(folder) / "gazetteer.db"
            with Store(db) as store:
                store.kb.add(geonames_entries(15_000))
        with Store(db) as store:
            kb = KnowledgeBase.load(store.kb, layers=[])
    text, spans = make_article()
    for span in spans[:500]:
        kb.learn(text[span.start : span.end], span.label, None)
    seed = SEED.read_text(encoding="utf-8")
    learned_only = KnowledgeBase(None, kb.learned)
    for name, article in (("19,000-word article", text), ("seed article", seed)):
        for what, base in (("gazetteer + learned", kb), ("learned only", learned_only)):
            seconds, found = timed(article, base, args.runs)
            print(f"{name}, {what}: {seconds * 1000:.0f} ms median ({found} proposals)")


if __name__ == "__main__":
    main()
