"""Proposing for a 5,000-word article: the model alone, the hints it needs alone, and all the proposals of
the document (``propose_all``: hints, model, KB links), CPU and wall medians, with the load average.

The article is the one of ``bench/model.py``: the dev corpus's documents in file order up to 5,000 words.
The model is the shipped starter (trained with the gazetteer's hints); the hints are the gazetteer's and
the learned strings of the other dev documents.

- open: ``Tagger(bytes)`` (decompressing and reading the model);
- model, new tagger: ``Tagger(bytes).predict(article, hints)`` on a tagger that has predicted nothing,
  tokenizing included (the figure of the target, predicting ≤ 30 ms), the open not included;
- model, warm tagger: the same on a tagger that has predicted the other dev documents (not the
  article's: many of its words are new to it);
- model, the article again: a tagger that has predicted the article predicts it again (its kept answer
  dropped), as the screen's proposals are made again when a tag changes the learned hints;
- hints: ``suggest.hints(article, kb)``;
- all proposals: ``propose_all(article, kb, Tagger(bytes), 0.5)``, a new tagger each time (open included).

    .venv/bin/python bench/predicting.py [--db GAZETTEER_DB] [--rounds 7] [--parts]
    bench/against.sh main bench/predicting.py --db GAZETTEER_DB     # old and new side by side

``--parts``: where a warm tagger's time goes (tokenizing, the features' layout, the emissions, Viterbi,
the marginals, the rules), on code that scores without crfsuite (``annotator.tagger.scoring``).

``--db``: a database holding the GeoNames gazetteer (``annotator kb add-geonames``); without it the
gazetteer is loaded into a temporary database first (about 25 s).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# The checkout's code; or, under bench/against.sh (PYTHONPATH names the tree), that tree's.
if os.environ.get("PYTHONPATH"):
    del sys.path[0]
else:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from annotator.kb import KnowledgeBase, Learned
from annotator.store import Store
from annotator.suggest import hints, propose_all
from annotator.tagger import Hint, Tagger
from annotator.tagger.starter import starter_bytes

# ../shared/corpus beside this script's checkout (bench/against.sh runs it on another tree's code).
CORPUS = next(
    (
        p / "shared" / "corpus" / "gum_dev.jsonl"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "corpus" / "gum_dev.jsonl").exists()
    ),
    Path("../shared/corpus/gum_dev.jsonl"),
)


def article(path: Path) -> tuple[str, list[tuple[str, list[tuple[int, int, str]]]]]:
    """The 5,000-word article and the other documents (text, spans)."""
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    words, parts = 0, []
    for d in docs:
        parts.append(d["text"])
        words += len(d["text"].split())
        if words >= 5000:
            break
    others = [
        (d["text"], [(s["start"], s["end"], s["label"]) for s in d["spans"]]) for d in docs[len(parts) :]
    ]
    text = " ".join("\n\n".join(parts).split(" ")[:5000])
    return text, others


def timed(
    run: Callable[[], object], rounds: int, before: Callable[[], object] | None = None
) -> tuple[float, float]:
    """Median CPU and wall seconds of ``run`` over ``rounds`` (``before`` each time, not timed)."""
    cpu, wall = [], []
    for _ in range(rounds):
        if before is not None:
            before()
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--parts", action="store_true")
    args = parser.parse_args()
    if args.db is None:
        from bench.suggest import prepare

        args.db = Path(tempfile.mkdtemp()) / "gazetteer.db"
        prepare(args.db)
    with Store(args.db) as store:
        kb = KnowledgeBase.load(store.kb)
    text, others = article(args.corpus)
    kb = KnowledgeBase(
        kb.index, Learned((t[s:e], label, None, 1) for t, spans in others for s, e, label in spans)
    )
    data = starter_bytes(True)
    found = hints(text, kb)
    load = os.getloadavg()[0]
    rows: list[tuple[str, tuple[float, float]]] = []

    rows.append(("open: Tagger(bytes)", timed(lambda: Tagger(data), args.rounds)))
    fresh: list[Tagger] = []
    rows.append((
        "model, a new tagger (tokenizing included)",
        timed(lambda: fresh[-1].predict(text, found), args.rounds, lambda: fresh.append(Tagger(data))),
    ))  # fmt: skip

    def warmed() -> None:
        tagger = Tagger(data)
        for other, _ in others:
            tagger.predict(other, hints(other, kb))
        fresh.append(tagger)

    rows.append((
        f"model, a tagger that has predicted the other {len(others)} documents",
        timed(lambda: fresh[-1].predict(text, found), max(3, args.rounds // 2), warmed),
    ))  # fmt: skip
    again = fresh[-1]
    again.predict(text, found)

    def forget_answer() -> None:
        again._last = None  # the answer it keeps for the same text and hints

    rows.append((
        "model, the article again (its words seen; as after a tag changes the hints)",
        timed(lambda: again.predict(text, found), args.rounds, forget_answer),
    ))  # fmt: skip
    rows.append(("hints: suggest.hints(article, kb)", timed(lambda: hints(text, kb), args.rounds)))
    rows.append((
        "all proposals: propose_all(article, kb, Tagger(bytes), 0.5)",
        timed(lambda: propose_all(text, kb, Tagger(data), 0.5), args.rounds),
    ))  # fmt: skip
    proposals = propose_all(text, kb, Tagger(data), 0.5)
    print(f"a {len(text.split()):,}-word article, {len(found)} hints, {len(proposals)} proposals;"
          f" medians of {args.rounds}; load average {load:.1f} → {os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.parts and importlib.util.find_spec("annotator.tagger.scoring") is not None:
        rows += parts(text, found, fresh[-1], args.rounds)
    print("| | CPU ms | wall ms |\n|---|---|---|")
    for name, (cpu, wall) in rows:
        print(f"| {name} | {cpu * 1000:.1f} | {wall * 1000:.1f} |")


def parts(text: str, found: list[Hint], tagger: Tagger, rounds: int) -> list[tuple[str, tuple[float, float]]]:
    """A warm tagger's prediction piece by piece (code that scores without crfsuite)."""
    from annotator.tagger.decoding import marginals, viterbi
    from annotator.tagger.features import feature_layout, spans_of
    from annotator.tagger.rules import Tagged, refine
    from annotator.text import tokenize

    scorer = tagger._scorer
    tokens = tokenize(text)
    layout = feature_layout(text, tokens, found)
    emissions = scorer.emissions(layout)
    path = viterbi(emissions, scorer.transitions)
    chances = marginals(emissions, scorer.transitions)
    tagged = [
        Tagged(first, last, label, min(float(chances[i, path[i]]) for i in range(first, last)))
        for first, last, label in spans_of([scorer.labels[i] for i in path])
    ]
    return [
        ("· tokenizing", timed(lambda: tokenize(text), rounds)),
        ("· the features' layout", timed(lambda: feature_layout(text, tokens, found), rounds)),
        ("· emissions", timed(lambda: scorer.emissions(layout), rounds)),
        ("· Viterbi", timed(lambda: viterbi(emissions, scorer.transitions), rounds)),
        ("· marginals", timed(lambda: marginals(emissions, scorer.transitions), rounds)),
        ("· the rules (refine)", timed(lambda: refine(layout.words, tagged, set()), rounds)),
    ]  # fmt: skip


if __name__ == "__main__":
    main()
