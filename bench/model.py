"""The proposal model on the dev corpus (../shared/corpus/gum_dev.jsonl, real news): learning curve,
speed, size, and the library comparison, side by side in one run.

- Held out: the 6 Wikinews news articles after the first 6 (file order); never trained on.
- The team's documents, in order: the other 6 news articles, then the travel guides and interviews.
- k = 0, 2, 5, 10, 15 team documents: label-aware exact-span precision, recall and F1 per label on the
  held-out articles for the model trained on them, for the gazetteer-only proposer, for learned strings
  only (the k documents' tagged text), and for the starter model. At k = 0 the starter is trained on the
  travel guides and interviews only (the shipped one saw every document, the held-out ones included, so
  it cannot be measured on them).
- Speed: training on about 20,000 tokens, predicting a 5,000-word article (median of 5), model size.
- ``--compare-spacy``: a spaCy NER component trained from scratch on the same documents, same scores.

    .venv/bin/python bench/model.py [--db GAZETTEER_DB] [--compare-spacy] [--threshold 0.0] [--build-starter]

``--db``: a database holding the GeoNames gazetteer (``annotator kb add-geonames``); without it the
gazetteer is loaded into a temporary database first (about 25 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from annotator.kb import FuzzyIndex, KnowledgeBase, Learned  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest import propose  # noqa: E402
from annotator.tagger import Scores, Tagger, evaluate, train  # noqa: E402
from annotator.tagger.crf import score_spans  # noqa: E402
from annotator.training import TrainingDocument, examples  # noqa: E402

# ../shared/corpus from the main checkout; a worktree sits one folder deeper.
CORPUS = next(
    (
        p / "shared" / "corpus" / "gum_dev.jsonl"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "corpus" / "gum_dev.jsonl").exists()
    ),
    Path("../shared/corpus/gum_dev.jsonl"),
)
KS = (0, 2, 5, 10, 15)
LABELS = ("ACTOR", "PLACE", "EVENT")


def load_corpus(path: Path) -> tuple[list[TrainingDocument], list[TrainingDocument], list[TrainingDocument]]:
    """(team documents in order, held-out news, the starter's documents)."""
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        docs.append(
            TrainingDocument(d["id"], d["text"], [(s["start"], s["end"], s["label"]) for s in d["spans"]])
        )
    news = [d for d in docs if d.key.startswith("GUM_news_")]
    rest = [d for d in docs if not d.key.startswith("GUM_news_")]
    return news[:6] + rest, news[6:], rest


def proposer_scores(held: Sequence[TrainingDocument], kb: KnowledgeBase) -> Scores:
    predicted = [[(c.start, c.end, c.label) for c in propose(d.text, kb)] for d in held]
    return score_spans((d.spans for d in held), predicted)


def row(name: str, s: Scores) -> str:
    cells = [f"{s.overall.precision:.2f} / {s.overall.recall:.2f} / **{s.overall.f1:.2f}**"]
    for label in LABELS:
        one = s.labels.get(label)
        cells.append(f"{one.precision:.2f} / {one.recall:.2f} / {one.f1:.2f}" if one else "-")
    return f"| {name} | " + " | ".join(cells) + " |"


def spacy_scores(
    training: Sequence[TrainingDocument], held: Sequence[TrainingDocument]
) -> tuple[Scores, float, float]:
    """A spaCy NER trained from scratch (blank English, 30 epochs): scores, training seconds, and
    prediction seconds per 1,000 words."""
    import random

    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import filter_spans, minibatch

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in LABELS:
        ner.add_label(label)
    data = []
    for d in training:
        doc = nlp.make_doc(d.text)
        ents = [doc.char_span(s, e, label, alignment_mode="contract") for s, e, label in d.spans]
        doc.ents = filter_spans([x for x in ents if x is not None])
        data.append(SpacyExample(nlp.make_doc(d.text), doc))
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(0)
    for _ in range(30):
        rng.shuffle(data)
        for batch in minibatch(data, 4):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predicted = [[(e.start_char, e.end_char, e.label_) for e in nlp(d.text).ents] for d in held]
    words = sum(len(d.text.split()) for d in held)
    per_1000 = (time.perf_counter() - started) / words * 1000
    return score_spans((d.spans for d in held), predicted), trained, per_1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--threshold", type=float, default=0.0)
    parser.add_argument("--compare-spacy", action="store_true")
    parser.add_argument(
        "--build-starter", action="store_true", help="Rebuild the starter model shipped in the package first."
    )
    args = parser.parse_args()
    if args.db is None:
        from bench.suggest import prepare

        args.db = Path(tempfile.mkdtemp()) / "gazetteer.db"
        prepare(args.db)
    with Store(args.db) as store:
        kb = KnowledgeBase.load(store.kb)
    index: FuzzyIndex | None = kb.index
    if args.build_starter:
        from annotator.training import build_starter

        out = Path(__file__).resolve().parent.parent / "annotator" / "tagger" / "data"
        meta = build_starter(args.corpus, index, out)
        print(f"starter model rebuilt in {out}: {meta['documents']} documents, {meta['tokens']:,} tokens")
    team, held, starter_docs = load_corpus(args.corpus)
    print(f"held out: {len(held)} news articles, {sum(len(d.spans) for d in held)} gold spans;"
          f" team documents: {len(team)}; threshold {args.threshold}")  # fmt: skip
    starter = Tagger(train(examples(starter_docs, index, starter_docs)).data)
    columns = " | ".join(f"{label} P / R / F1" for label in LABELS)
    header = f"| k | proposer | all labels P / R / **F1** | {columns} |"
    print(header)
    print("|---|---|---|---|---|---|")
    gazetteer = proposer_scores(held, KnowledgeBase(index, Learned()))
    for k in KS:
        done = team[:k]
        held_examples = examples(held, index, done)
        print(row(f"{k} | starter model", evaluate(starter, held_examples, args.threshold)))
        if k:
            model = train(examples(done, index, done))
            print(row(f"{k} | team model", evaluate(Tagger(model.data), held_examples, args.threshold)))
            learned = Learned((d.text[s:e], label, None, 1) for d in done for s, e, label in d.spans)
            print(row(f"{k} | learned strings only", proposer_scores(held, KnowledgeBase(None, learned))))
        print(row(f"{k} | gazetteer only", gazetteer))

    # Speed and size: about 20,000 tokens of training, a 5,000-word article to predict.
    all_docs = team + held
    big = examples(all_docs, index, all_docs)
    started = time.perf_counter()
    model = train(big)
    seconds = time.perf_counter() - started
    tagger = Tagger(model.data)
    words, article = 0, []
    for d in all_docs:
        article.append(d.text)
        words += len(d.text.split())
        if words >= 5000:
            break
    text = "\n\n".join(article)
    text = " ".join(text.split(" ")[:5000])
    times = []
    for _ in range(5):
        started = time.perf_counter()
        tagger.predict(text)
        times.append(time.perf_counter() - started)
    hint_times = []
    full = KnowledgeBase(index, Learned())
    from annotator.suggest import hints

    for _ in range(5):
        started = time.perf_counter()
        hints(text, full)
        hint_times.append(time.perf_counter() - started)
    print(f"\ntraining on {model.tokens:,} tokens ({model.documents} documents): {seconds:.2f} s;"
          f" model {len(model.data) / 1024:.0f} KB compressed")  # fmt: skip
    print(f"predicting a {len(text.split()):,}-word article: {statistics.median(times) * 1000:.1f} ms median"
          f" (the gazetteer hints it needs: {statistics.median(hint_times) * 1000:.1f} ms)")  # fmt: skip

    if args.compare_spacy:
        crf_started = time.perf_counter()
        crf = train(examples(team, index, team))
        crf_seconds = time.perf_counter() - crf_started
        crf_scores = evaluate(Tagger(crf.data), examples(held, index, team), args.threshold)
        spacy, spacy_seconds, per_1000 = spacy_scores(team, held)
        print("\nlibrary comparison, trained on the 16 team documents, scored on the held-out 6:")
        print(header.replace("| k | proposer", "| library | training"))
        print("|---|---|---|---|---|---|")
        print(row(f"python-crfsuite | {crf_seconds:.1f} s", crf_scores))
        print(row(f"spaCy NER from scratch | {spacy_seconds:.1f} s", spacy))
        print(f"spaCy predicts {per_1000 * 5 * 1000:.0f} ms per 5,000 words (the CRF: see above)")


if __name__ == "__main__":
    main()
