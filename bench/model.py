"""The proposal model on the dev corpus (../shared/corpus/gum_dev.jsonl, real news): learning curve,
speed, size, and the library comparison, side by side in one run.

- Held out: the 6 Wikinews news articles after the first 6 (file order); never trained on.
- The team's documents, in order: the other 6 news articles, then the travel guides and interviews.
- k = 0, 2, 5, 10, 15 team documents: label-aware exact-span precision, recall and F1 per label on the
  held-out articles for the model trained on them (and, as another domain, the travel guides and
  interviews: ``annotator.training.with_corpus``, as ``annotator train`` does with the shipped
  corpus), for the gazetteer-only proposer, for learned strings only (the k documents' tagged text),
  and for the starter model. The shipped starter saw every document, the held-out ones included, so it
  cannot be measured on them; at k = 0 two stand in for it: the starter **as shipped but for the
  held-out articles** (the other 16 documents, news among them, as the shipped one has), and the one
  on the travel guides and interviews only (no news at all: the row repeated at every k).
- Both ways round: the 12 news articles are two halves of 6; each half is scored with the other as the
  team's (k = 5 and 6) and under the starter of the other 16 documents, and both halves pooled: 12
  scored articles where the learning curve has 6.
- Speed: training on about 20,000 tokens, predicting a 5,000-word article (median of 5), model size.
- ``--compare-spacy``: a spaCy NER component trained from scratch on the same documents, same scores.

    .venv/bin/python bench/model.py [--db GAZETTEER_DB] [--compare-spacy] [--threshold 0.0] [--build-starter]
    .venv/bin/python bench/model.py --db GAZETTEER_DB --team-folds   # to tune by: no held-out article

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
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from annotator.config import Config  # noqa: E402
from annotator.kb import FuzzyIndex, KnowledgeBase, Learned  # noqa: E402
from annotator.memory import memory_proposals  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest import propose  # noqa: E402
from annotator.tagger import Example, Scores, Tagger, evaluate, train  # noqa: E402
from annotator.tagger.crf import score_spans  # noqa: E402
from annotator.text import token_range, tokenize  # noqa: E402
from annotator.training import TrainingDocument, examples, with_corpus  # noqa: E402

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


Spans = list[tuple[int, int, str]]

# The oracle's stated cost per action, in keys, as the annotation screen takes them: y on a proposal
# takes it and selects the next one, n rejects it and selects the next one, a label key on a selected
# proposal tags it with that label; a span by hand costs getting there and selecting its tokens.
ACCEPT, REJECT, RELABEL = 1, 1, 1
REACH = 2
"""Keys to put the cursor on a span's first token by hand (a search or a few moves, on average)."""


def proposer_spans(held: Sequence[TrainingDocument], kb: KnowledgeBase) -> list[Spans]:
    return [[(c.start, c.end, c.label) for c in propose(d.text, kb)] for d in held]


def model_spans(tagger: Tagger, held_examples: Sequence[Example], threshold: float) -> list[Spans]:
    return [
        [(p.start, p.end, p.label) for p in tagger.predict(e.text, e.hints) if p.confidence >= threshold]
        for e in held_examples
    ]


def oracle_keys(held: Sequence[TrainingDocument], proposed: Sequence[Spans], memory: bool = False) -> float:
    """Keys per correct span for an annotator who knows the gold and reads each document in order: each
    proposal taken (right), relabelled (right span, wrong label) or rejected; each gold span left tagged
    by hand: reach it, extend the selection over its other tokens (shift+right each), press the label
    key. Proposals overlapping a span tagged already are gone (as on the screen). ``memory``: after each
    tag the proposals ahead change by the in-document label memory (``memory.memory_proposals``: the
    other occurrences of what was tagged, with its label, in place of the model's proposals there)."""
    keys = sum(_Oracle(d, found, memory).keys() for d, found in zip(held, proposed, strict=True))
    spans = sum(len(set(d.spans)) for d in held)
    return keys / spans if spans else 0.0


def _marked(length: int, spans: Iterable[tuple[int, int, str]]) -> bytearray:
    """One byte a character of the text, 1 where one of ``spans`` is."""
    mark = bytearray(length + 1)
    for start, end, _ in spans:
        mark[start:end] = b"\x01" * (end - start)
    return mark


class _Oracle:
    """One document of :func:`oracle_keys`."""

    def __init__(self, document: TrainingDocument, found: Spans, memory: bool) -> None:
        self.text = document.text
        self.gold = set(document.spans)
        self.by_place = {(s, e): label for s, e, label in self.gold}
        self.tokens = tokenize(self.text)
        self.base = sorted(found)
        self.current = self.base
        self.memory = memory
        self.tagged: Spans = []
        self.covered = bytearray(len(self.text) + 1)

    def tag(self, span: tuple[int, int, str]) -> None:
        self.tagged.append(span)
        self.covered[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
        if self.memory:
            hints = [(h.start, h.end, h.label) for h in memory_proposals(self.text, self.tokens, self.tagged)]
            mark = _marked(len(self.text), hints)
            self.current = sorted([p for p in self.base if mark.find(1, p[0], p[1]) == -1] + hints)

    def keys(self) -> int:
        keys, at = 0, -1
        pending = sorted(self.gold)
        done = set(self.tagged)
        while True:
            ahead = [p for p in self.current if p[0] > at and self.covered.find(1, p[0], p[1]) == -1]
            left = [g for g in pending if g[0] > at and g not in done]
            if not ahead and not left:
                return keys
            at = min(([ahead[0][0]] if ahead else []) + ([left[0][0]] if left else []))
            for start, end, label in [p for p in ahead if p[0] == at]:
                right = self.by_place.get((start, end))
                keys += REJECT if right is None else ACCEPT if right == label else RELABEL
                if right is not None and (start, end, right) not in done:
                    done.add((start, end, right))
                    self.tag((start, end, right))
            for span in [g for g in left if g[0] == at and g not in done]:
                covered = token_range(self.tokens, span[0], span[1])
                keys += REACH + (covered[1] - covered[0] - 1 if covered else 0) + 1
                done.add(span)
                self.tag(span)


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


SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_874653b030f5b32a.txt"
COUNTRIES = ("Armenia", "Azerbaijan", "Turkey", "Russia", "Iran", "France")


def sample_article(index: FuzzyIndex | None) -> None:
    """The sample article, the first mention of each country tagged ACTOR (in the document, and so in the
    learned text), the starter model proposing: how each later mention is proposed."""
    import re
    from collections import Counter

    from annotator.suggest import propose_all
    from annotator.tagger.starter import starter_bytes

    text = SEED.read_text(encoding="utf-8")
    firsts = {c: m.span() for c in COUNTRIES if (m := re.search(rf"\b{c}\b", text))}
    kb = KnowledgeBase(index, Learned((c, "ACTOR", None, 1) for c in firsts))
    tagged = [(start, end, "ACTOR") for start, end in firsts.values()]
    found = {
        (c.start, c.end): c.label
        for c in propose_all(text, kb, Tagger(starter_bytes(index is not None)), 0.5, tagged)
    }
    later: Counter[str] = Counter()
    for country, first in firsts.items():
        for m in re.finditer(rf"\b{country}\b", text):
            if m.span() != first:
                later[found.get(m.span(), "none")] += 1
    print(f"\nsample article, first mention of {len(firsts)} countries tagged ACTOR; their later mentions"
          f" proposed as: {dict(later)}")  # fmt: skip


def team_folds(team: Sequence[TrainingDocument], starter_docs: Sequence[TrainingDocument],
               index: FuzzyIndex | None, threshold: float) -> None:  # fmt: skip
    """Scores to choose features and parameters by without the held-out articles: leave one out over
    the team's news articles (train on the other 5), and a starter trained on the travel guides and
    interviews scored on those articles."""
    news = [d for d in team if d.key.startswith("GUM_news_")]

    def spans(
        training: Sequence[TrainingDocument], scored: Sequence[TrainingDocument], corpus: bool = False
    ) -> list[Spans]:
        team_examples = examples(training, index, training)
        if corpus:
            team_examples = with_corpus(team_examples, starter_docs, index)
        tagger = Tagger(train(team_examples).data)
        return model_spans(tagger, examples(scored, index, training), threshold)

    gold: list[Spans] = []
    found: list[Spans] = []
    for i, held_back in enumerate(news):
        gold.append(list(held_back.spans))
        found += spans([d for j, d in enumerate(news) if j != i], [held_back], corpus=True)
    print(f"team folds (leave one out over {len(news)} team news articles; never the held-out ones):")
    print(row("team model, 5 documents (+ guides, interviews: another domain)", score_spans(gold, found)))
    # The second half of each article, its first half's gold tagged: the model alone, and with the
    # in-document label memory applied to its proposals.
    second: list[Spans] = []
    alone: list[Spans] = []
    remembered: list[Spans] = []
    for document, proposed in zip(news, found, strict=True):
        middle = len(document.text) // 2
        first_half = [s for s in document.spans if s[1] <= middle]
        hints = memory_proposals(document.text, tokenize(document.text), first_half)
        mark = _marked(len(document.text), [(h.start, h.end, h.label) for h in hints])
        ahead = [p for p in proposed if p[0] >= middle]
        second.append([s for s in document.spans if s[0] >= middle])
        alone.append(ahead)
        remembered.append(
            [p for p in ahead if mark.find(1, p[0], p[1]) == -1]
            + [(h.start, h.end, h.label) for h in hints if h.start >= middle]
        )
    print(row("second halves, the model alone", score_spans(second, alone)))
    print(row("second halves, first halves tagged: + memory", score_spans(second, remembered)))
    print(f"keys per correct span (oracle), team model: {oracle_keys(news, found):.2f} without memory,"
          f" {oracle_keys(news, found, memory=True):.2f} with")  # fmt: skip
    print(row("starter on the guides and interviews", score_spans(gold, spans(starter_docs, news))))


def both_ways(
    first: Sequence[TrainingDocument],
    second: Sequence[TrainingDocument],
    others: Sequence[TrainingDocument],
    index: FuzzyIndex | None,
    threshold: float,
    header: str,
) -> None:
    """The news articles' two halves, each scored with the other as the team's (and the starter of the
    rest), then both pooled: how much of a figure is the model and how much the 6 articles scored."""
    print("\nboth ways round: each half of the 12 news articles scored, the other half the team's:")
    print(header.replace("| k | proposer", "| k | scored"))
    print("|---|---|---|---|---|---|")
    halves = {"the held-out 6 (the curve's)": (first, second), "the team's 6": (second, first)}
    for k in (0, 5, 6):
        pooled_gold: list[Spans] = []
        pooled: list[Spans] = []
        for name, (train_on, scored) in halves.items():
            if k:
                done = list(train_on[:k])
                docs = with_corpus(examples(done, index, done), others, index)
            else:
                done = []
                docs = examples([*train_on, *others], index, [*train_on, *others])
            found = model_spans(Tagger(train(docs).data), examples(scored, index, done), threshold)
            gold = [d.spans for d in scored]
            print(row(f"{k} | {name}", score_spans(gold, found)))
            pooled_gold += gold
            pooled += found
        print(row(f"{k} | **both, pooled**", score_spans(pooled_gold, pooled)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--threshold", type=float, default=Config.threshold)
    parser.add_argument("--compare-spacy", action="store_true")
    parser.add_argument(
        "--team-folds", action="store_true", help="Only the scores on the team documents (for tuning)."
    )
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
    if args.team_folds:
        team_folds(team, starter_docs, index, args.threshold)
        return
    print(f"held out: {len(held)} news articles, {sum(len(d.spans) for d in held)} gold spans;"
          f" team documents: {len(team)}; threshold {args.threshold}")  # fmt: skip
    starter = Tagger(train(examples(starter_docs, index, starter_docs)).data)
    columns = " | ".join(f"{label} P / R / F1" for label in LABELS)
    header = f"| k | proposer | all labels P / R / **F1** | {columns} |"
    print(header)
    print("|---|---|---|---|---|---|")
    gazetteer = proposer_spans(held, KnowledgeBase(index, Learned()))
    gold = [d.spans for d in held]
    effort: list[str] = []
    for k in KS:
        done = team[:k]
        held_examples = examples(held, index, done)
        rows = []
        if not k:
            shipped_like = Tagger(
                train(examples(team[:6] + starter_docs, index, team[:6] + starter_docs)).data
            )
            rows.append(("starter as shipped but for the held-out articles (16 documents)",
                         model_spans(shipped_like, held_examples, args.threshold)))  # fmt: skip
        rows.append(
            (
                "starter model (guides and interviews only)",
                model_spans(starter, held_examples, args.threshold),
            )
        )
        if k:
            model = Tagger(train(with_corpus(examples(done, index, done), starter_docs, index)).data)
            rows.append(("team model", model_spans(model, held_examples, args.threshold)))
            learned = Learned((d.text[s:e], label, None, 1) for d in done for s, e, label in d.spans)
            rows.append(("learned strings only", proposer_spans(held, KnowledgeBase(None, learned))))
        rows.append(("gazetteer only", gazetteer))
        for name, spans in rows:
            print(row(f"{k} | {name}", score_spans(gold, spans)))
        effort.append(
            f"| {k} | "
            + " | ".join(
                f"{name} {oracle_keys(held, spans):.2f} / {oracle_keys(held, spans, memory=True):.2f}"
                for name, spans in rows
            )
            + " |"
        )
    nothing = [[] for _ in held]
    print(
        "\nkeys per correct span (oracle; accept, reject, relabel 1 key; by hand: 2 to reach + 1 per extra"
          f" token + 1 to tag; nothing proposed: {oracle_keys(held, nothing):.2f} /"
          f" {oracle_keys(held, nothing, memory=True):.2f}), without / with the in-document memory:"
    )  # fmt: skip
    print("| k | keys per correct span, without / with memory |\n|---|---|")
    print("\n".join(effort))
    both_ways(team[:6], held, starter_docs, index, args.threshold, header)
    sample_article(index)

    # Speed and size: about 20,000 tokens of training, a 5,000-word article to predict.
    all_docs = team + held
    big = examples(all_docs, index, all_docs)
    started, cpu = time.perf_counter(), time.process_time()
    model = train(big)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    words, article = 0, []
    for d in all_docs:
        article.append(d.text)
        words += len(d.text.split())
        if words >= 5000:
            break
    others = all_docs[len(article) :]
    text = "\n\n".join(article)
    text = " ".join(text.split(" ")[:5000])
    # Cold: a tagger that has predicted nothing yet; warm: one that has predicted the other documents
    # (a tagger keeps the feature strings of the words it has seen), never this article.
    cold_times, cold_cpu, warm_times, warm_cpu = [], [], [], []
    for _ in range(5):
        tagger = Tagger(model.data)
        started, cpu_started = time.perf_counter(), time.process_time()
        tagger.predict(text)
        cold_times.append(time.perf_counter() - started)
        cold_cpu.append(time.process_time() - cpu_started)
        tagger = Tagger(model.data)
        for d in others:
            tagger.predict(d.text)
        started, cpu_started = time.perf_counter(), time.process_time()
        tagger.predict(text)
        warm_times.append(time.perf_counter() - started)
        warm_cpu.append(time.process_time() - cpu_started)
    hint_times, hint_cpu = [], []
    learned = Learned((d.text[s:e], label, None, 1) for d in others for s, e, label in d.spans)
    full = KnowledgeBase(index, learned)
    from annotator.suggest import hints

    for _ in range(5):
        started, cpu_started = time.perf_counter(), time.process_time()
        hints(text, full)
        hint_times.append(time.perf_counter() - started)
        hint_cpu.append(time.process_time() - cpu_started)

    # Everything the screen and `annotator suggest` do for a document: hints, model, KB links.
    from annotator.suggest import propose_all

    proposal_times, proposal_cpu = [], []
    for _ in range(5):
        tagger = Tagger(model.data)
        started, cpu_started = time.perf_counter(), time.process_time()
        propose_all(text, full, tagger, args.threshold)
        proposal_times.append(time.perf_counter() - started)
        proposal_cpu.append(time.process_time() - cpu_started)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f} ms"

    print(f"\ntraining on {model.tokens:,} tokens ({model.documents} documents): {seconds:.2f} s"
          f" ({cpu:.2f} s CPU);"
          f" model {len(model.data) / 1024:.0f} KB compressed")  # fmt: skip
    print(f"predicting a {len(text.split()):,}-word article (medians of 5): a new tagger {ms(cold_times)}"
          f" ({ms(cold_cpu)} CPU); one that has predicted the other {len(others)} documents"
          f" {ms(warm_times)} ({ms(warm_cpu)} CPU); the gazetteer and learned hints it needs:"
          f" {ms(hint_times)} ({ms(hint_cpu)} CPU); all the proposals (propose_all: hints, model, KB links)"
          f" {ms(proposal_times)} ({ms(proposal_cpu)} CPU)")  # fmt: skip

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
