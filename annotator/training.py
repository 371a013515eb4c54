"""Training a user's model on their finished documents, and deciding whether it replaces the current one.

Plain data in and out (no store): the caller reads the finished documents of the layers the user may
learn from (:func:`annotator.tagger.training_layers`), the knowledge base, and the current model, calls
:func:`train_model`, and saves the result when :attr:`TrainingResult.replaces` says so::

    documents = [TrainingDocument(key, text, spans) for ...]       # spans: (start, end, label)
    result = train_model(documents, kb.index, current)            # current: the stored or starter model
    if result.replaces: store.models.save(...)

The learned-strings hints of a training document come from the *other* training documents only (as they
would when it was annotated), so the model does not learn to copy a feature that is always right in
training and rarely at work.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from annotator.kb import FuzzyIndex, KnowledgeBase, Learned
from annotator.model import StoredModel
from annotator.suggest import hints
from annotator.tagger import Example, Scores, Tagger, TrainedModel, evaluate, split_held_out, train
from annotator.tagger.crf import KIND
from annotator.tagger.starter import META_FILE, MODEL_FILE, PLAIN_MODEL_FILE, starter_bytes, starter_meta
from annotator.text import tokenize
from annotator.wording import counted


@dataclass(frozen=True)
class TrainingDocument:
    key: str
    text: str
    spans: Sequence[tuple[int, int, str]]


@dataclass(frozen=True)
class TrainingResult:
    model: TrainedModel
    """Trained on every document given."""
    scores: Scores | None
    """A model trained on all but the held-out documents, scored on them (None with one document)."""
    current_scores: Scores | None
    """The current model on the same held-out documents (None without a current model)."""
    held_out: tuple[str, ...]
    had_current: bool = False
    seen: frozenset[str] = frozenset()
    """The digests of every text the model was trained on (:func:`text_digest`): the documents given and
    the corpus's it took."""
    current_saw_all: bool = False
    """The current model was trained on every finished document (the starter on the GUM documents a
    team imported, a stored model when nothing was finished since): it was not scored on them, where it
    would score what it learned."""

    @property
    def replaces(self) -> bool:
        """Whether the new model should become the user's: there is no current model, the current one was
        trained on every document that could be held out (so it cannot be measured fairly, and the new
        one has the team's tags of them), or the new one beats it on the held-out documents (all-label
        F1). Without held-out documents (one finished document) it cannot be measured, so it does not
        replace one."""
        if not self.had_current:
            return True
        if self.scores is None:
            return False
        if self.current_saw_all:
            return True
        return self.current_scores is not None and self.scores.overall.f1 > self.current_scores.overall.f1


def examples(
    documents: Sequence[TrainingDocument], index: FuzzyIndex | None, learned_from: Sequence[TrainingDocument]
) -> list[Example]:
    """Each document with the gazetteer's hints and the learned strings of ``learned_from`` other than
    itself."""
    out: list[Example] = []
    for document in documents:
        learned = Learned(
            (other.text[s:e], label, None, 1)
            for other in learned_from
            if other.key != document.key
            for s, e, label in other.spans
        )
        kb = KnowledgeBase(index, learned)
        out.append(Example(document.key, document.text, document.spans, hints(document.text, kb)))
    return out


CORPUS_FILE = "gum_dev.jsonl.gz"
"""The starter's documents, shipped beside it (``data/ATTRIBUTION.md``): a team's model is trained on them
too, as another domain (:func:`with_corpus`)."""
CORPUS_DOMAIN = "gum"
TRAINING_TOKENS = 20_000
"""The budget of :func:`with_corpus`: the team's tokens plus twice the corpus's (each of its tokens has
its features twice) stay within it, so training takes no longer than on 20,000 tokens of the team's."""


def text_digest(text: str) -> str:
    """What says a model was trained on a text, whatever its document's key."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def seen_by(stored: StoredModel | None) -> frozenset[str] | None:
    """The digests of the texts :func:`current_model`'s model was trained on: the starter's corpus, or
    what a stored model keeps (None for one stored before models kept them: not known)."""
    if stored is not None and stored.kind == KIND:
        return stored.seen
    return frozenset(text_digest(d.text) for d in starter_corpus())


def starter_corpus() -> list[TrainingDocument]:
    """The documents the starter model was trained on (the GUM dev corpus), as shipped in the package."""
    raw = resources.files("annotator.tagger").joinpath("data", CORPUS_FILE).read_bytes()
    return list(_documents(gzip.decompress(raw).decode("utf-8")))


def _documents(jsonl: str) -> Iterator[TrainingDocument]:
    for line in jsonl.splitlines():
        record = json.loads(line)
        spans = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
        yield TrainingDocument(record["id"], record["text"], spans)


def with_corpus(
    team: Sequence[Example], corpus: Sequence[TrainingDocument], index: FuzzyIndex | None
) -> list[Example]:
    """The team's examples and, within :data:`TRAINING_TOKENS`, documents of ``corpus`` (in order, those
    that fit; none the team has) as another domain (:attr:`annotator.tagger.Example.domain`): what the
    team tagged on 5 news articles says little about organisations and events it has not met yet, and
    the corpus alone does not know the team's guideline. On the team folds (``bench/model.py
    --team-folds``) all-label F1 0.582 with the team's documents alone, 0.547 with the corpus added as
    they are, 0.61 with it as another domain."""
    have = {e.key for e in team}
    budget = TRAINING_TOKENS - sum(len(tokenize(e.text)) for e in team)
    chosen: list[TrainingDocument] = []
    for document in corpus:
        size = 2 * len(tokenize(document.text))
        if document.key not in have and size <= budget:
            chosen.append(document)
            budget -= size
    return [*team, *(dataclasses.replace(e, domain=CORPUS_DOMAIN) for e in examples(chosen, index, corpus))]


def train_model(
    documents: Sequence[TrainingDocument],
    index: FuzzyIndex | None,
    current: Tagger | None = None,
    corpus: Sequence[TrainingDocument] | None = None,
    current_seen: Collection[str] | None = None,
) -> TrainingResult:
    """Train on ``documents`` (with ``corpus``, the starter's documents by default, as another domain:
    :func:`with_corpus`); hold some out to score the new model and ``current`` side by side.
    ``current_seen``: the digests of the texts ``current`` was trained on (:func:`seen_by`; None: not
    known). The documents held out are then ones it has not seen, where there are any: scored on what
    it learned, the current model always wins (the starter on GUM documents a team imported)."""
    if not documents:
        raise ValueError("no finished documents to train on")
    extra = starter_corpus() if corpus is None else corpus
    keys = [d.key for d in documents]
    digests = [text_digest(d.text) for d in documents]
    fresh = None
    if current is not None and current_seen is not None:
        fresh = [i for i, digest in enumerate(digests) if digest not in current_seen]
    train_at, held_at = split_held_out(keys, among=fresh or None)
    saw_all = fresh is not None and not fresh and bool(held_at)
    scores = current_scores = None
    if held_at:
        training = [documents[i] for i in train_at]
        held = [documents[i] for i in held_at]
        held_examples = examples(held, index, training)
        held_out = {digests[i] for i in held_at}
        unseen = [d for d in extra if text_digest(d.text) not in held_out]  # a team may hold corpus texts
        partial = train(with_corpus(examples(training, index, training), unseen, index))
        scores = evaluate(Tagger(partial.data), held_examples)
        if current is not None and not saw_all:
            current_scores = evaluate(current, held_examples)
    final = with_corpus(examples(documents, index, documents), extra, index)
    model = train(final)
    held_keys = tuple(documents[i].key for i in held_at)
    seen = frozenset(text_digest(e.text) for e in final)
    return TrainingResult(model, scores, current_scores, held_keys, current is not None, seen, saw_all)


def current_model(stored: StoredModel | None, with_kb: bool = True) -> tuple[bytes, str]:
    """The model to propose with, as bytes: the user's stored one, else the starter shipped in the
    package (the one trained with KB hints when the project's KB has an index, ``with_kb``); and what it
    is (``model of alice, 12 documents`` / ``starter model, 22 GUM documents``). A stored model of
    another format (``kind``: trained on another version's features) is not used."""
    if stored is not None and stored.kind == KIND:
        return stored.data, f"model of {stored.user}, {counted(stored.documents, 'document')}"
    return starter_bytes(with_kb), f"starter model, {counted(starter_meta()['documents'], 'GUM document')}"


def current_tagger(stored: StoredModel | None, with_kb: bool = True) -> tuple[Tagger, str]:
    """:func:`current_model`, ready to predict."""
    data, described = current_model(stored, with_kb)
    return Tagger(data), described


def build_starter(corpus: Path, index: FuzzyIndex | None, out: Path) -> dict[str, Any]:
    """Train the starter models on every document of ``corpus`` (the project's JSONL import shape), one
    with the gazetteer ``index``'s and the other documents' learned strings as hints, one without hints,
    and write them and their metadata into ``out``."""
    documents = []
    sources = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spans = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
        documents.append(TrainingDocument(record["id"], record["text"], spans))
        sources.append({"id": record["id"], **{k: record["meta"].get(k) for k in ("source_url", "license")}})
    with_hints = examples(documents, index, documents)
    model = train(with_hints)
    plain = train([dataclasses.replace(e, hints=()) for e in with_hints])
    meta = {
        "kind": KIND,
        "labels": list(model.labels),
        "documents": model.documents,
        "tokens": model.tokens,
        "gazetteer": index is not None,
        "trained_on": sources,
    }
    (out / MODEL_FILE).write_bytes(model.data)
    (out / PLAIN_MODEL_FILE).write_bytes(plain.data)
    (out / CORPUS_FILE).write_bytes(gzip.compress(corpus.read_bytes(), 9, mtime=0))
    (out / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta
