"""Training a CRF on finished documents, predicting spans with a confidence, and scoring on held-out
documents.

python-crfsuite was chosen over a spaCy NER component trained from scratch by measuring both on the dev
corpus (``bench/model.py --compare-spacy``; figures in docs/benchmarks.md): the CRF trains in about a
second on 20,000 tokens, predicts a 5,000-word article in milliseconds and weighs a few hundred KB.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.model import GOLD
from annotator.tagger.decoding import marginals, viterbi
from annotator.tagger.features import (
    OUTSIDE,
    Hint,
    Known,
    WordCache,
    bio_tags,
    feature_layout,
    spans_at,
    token_features,
)
from annotator.tagger.rules import Tagged, refine
from annotator.tagger.scoring import Scorer
from annotator.tagger.weights import read_weights
from annotator.text import Token, tokenize

KIND = "crfsuite-2"
"""The model format: the crfsuite model bytes, compressed with zlib, over the features of this version
(2: WordNet supersenses and name parts elsewhere in the document; a model of 1 is not used). A model of
2 trained before the WordNet classes (``hyp=``) holds none of their weights and predicts as it did."""
PARAMS: dict[str, Any] = {"c1": 0.1, "c2": 0.01, "max_iterations": 65, "feature.possible_transitions": True}
"""65 L-BFGS iterations: stopping early regularises; on the team documents (leave one out over the 6
news articles the bench trains on, never its held-out ones) 80 scored F1 0.493 against 0.476 at 120;
with the WordNet classes, 65 scored 0.63 (starter 0.50) as 80 did (0.63 / 0.50), in a fifth less time.
With the starter's corpus as another domain (team / starter F1 on those folds): c1 0.05 0.623 / 0.479,
0.1 0.623 / 0.514, 0.15 0.601 / 0.515, 0.2 0.598 / 0.496; 100 iterations at c1 0.1 0.637 / 0.523, left
out for the training time (a quarter more)."""
HELD_OUT_SHARE = 0.2
SEEN_WORDS = 200_000
"""A tagger forgets the words it has seen past this many (a few tens of MB): the summed weights of each
one's features (:class:`~annotator.tagger.scoring.Scorer`); most words of the next document were in one
before."""


def training_layers(
    user: str, kinds: Mapping[str, str] | None = None, from_other_annotators: bool = False
) -> list[str]:
    """The layers ``user``'s model learns from by default: their learning sources
    (:func:`annotator.kb.learning_layers`: their own layer and gold, other annotators' only when the
    project says so), in the order preferred where several finished a document: gold (reviewed), then
    their own, then the others. ``kinds``: every layer's kind (``store.layers.kinds()``)."""
    from annotator.kb.learned import learning_layers

    allowed = learning_layers(user, kinds or {}, from_other_annotators)
    first = [GOLD] if user == GOLD else [GOLD, user]
    return first + [layer for layer in allowed if layer not in first]


@dataclass(frozen=True)
class Example:
    """A finished document: its text, its spans ``(start, end, label)`` and the other proposers' hints."""

    key: str
    text: str
    spans: Sequence[tuple[int, int, str]]
    hints: Sequence[Hint] = ()
    domain: str = ""
    """Another domain's document trained on beside the team's (the starter corpus): each of its features
    is given twice, as itself and prefixed with the domain (``gum:w=visit``), so that what holds only
    there is learnt by the prefixed copy, which no predicted text has (feature augmentation, Daumé 2007,
    without the target copy: prediction builds the same features as before)."""


@dataclass(frozen=True)
class Prediction:
    start: int
    end: int
    label: str
    confidence: float
    """The model's marginal probability of the span's tags, lowest over its tokens (0-1)."""


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int


@dataclass(frozen=True)
class Scores:
    """Label-aware exact-span precision, recall and F1 on held-out documents, per label and all labels."""

    labels: dict[str, LabelScore]
    overall: LabelScore
    documents: int

    def to_json(self) -> dict[str, Any]:
        def one(s: LabelScore) -> dict[str, Any]:
            return {"precision": s.precision, "recall": s.recall, "f1": s.f1, "gold": s.gold,
                    "predicted": s.predicted}  # fmt: skip

        return {
            "documents": self.documents,
            "all": one(self.overall),
            "labels": {label: one(s) for label, s in sorted(self.labels.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scores:
        def one(d: dict[str, Any]) -> LabelScore:
            return LabelScore(d["precision"], d["recall"], d["f1"], d["gold"], d["predicted"])

        return cls({k: one(v) for k, v in data["labels"].items()}, one(data["all"]), data["documents"])


@dataclass(frozen=True)
class TrainedModel:
    """A model's bytes (:data:`KIND`) and what it was trained on."""

    data: bytes
    labels: tuple[str, ...]
    documents: int
    tokens: int
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]


def _sequences(example: Example, seen: WordCache) -> tuple[list[Token], list[list[str]]]:
    tokens = tokenize(example.text)
    features = token_features(example.text, tokens, example.hints, seen=seen)
    if example.domain:
        prefix = example.domain + ":"
        features = [[*own, *(prefix + f for f in own if f != "bias")] for own in features]
    return tokens, features


def train(examples: Iterable[Example], params: dict[str, Any] | None = None) -> TrainedModel:
    """A CRF trained on ``examples`` (deterministic: the same examples give the same bytes). The model's
    ``documents`` and ``tokens`` count the team's examples, not another domain's (:attr:`Example.domain`)."""
    import pycrfsuite

    started = time.perf_counter()
    chosen = {**PARAMS, **(params or {})}
    trainer = pycrfsuite.Trainer(algorithm=chosen.pop("algorithm", "lbfgs"), verbose=False)
    trainer.set_params(chosen)
    labels: set[str] = set()
    documents = tokens_seen = 0
    seen: WordCache = {}
    for example in examples:
        tokens, features = _sequences(example, seen)
        if not tokens:
            continue
        tags = bio_tags(tokens, example.spans)
        labels.update(tag[2:] for tag in tags if tag != OUTSIDE)
        trainer.append(features, tags)
        if not example.domain:
            documents += 1
            tokens_seen += len(tokens)
    if not documents:
        raise ValueError("no document with text to train on (besides another domain's)")
    handle, name = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(name)
        with open(name, "rb") as model:
            raw = model.read()
    finally:
        os.unlink(name)
    return TrainedModel(
        zlib.compress(raw, 6), tuple(sorted(labels)), documents, tokens_seen, time.perf_counter() - started
    )


class Tagger:
    """A trained model, ready to predict (one per thread: it keeps what it has seen).

    Predicting does not go through crfsuite: the model's weights are read from its bytes once, and a
    text is scored with numpy (:mod:`annotator.tagger.scoring`, :mod:`annotator.tagger.decoding`), to
    the same labels and marginals as crfsuite's tagger (the tests compare them on the dev corpus), in
    a fraction of the time crfsuite takes to read the feature strings. crfsuite trains the model."""

    def __init__(self, data: bytes) -> None:
        self._scorer = Scorer(read_weights(zlib.decompress(data)))
        self._tags = self._scorer.labels
        self.labels = tuple(sorted({t[2:] for t in self._tags if t != OUTSIDE}))
        self._last: tuple[str, tuple[Hint, ...], list[Prediction]] | None = None
        """The last text predicted, its hints and what was found: asked again (the proposals of a
        document after a tag, which changes the in-document memory, not the model's input), it is
        not predicted again."""

    @property
    def _known(self) -> Known:
        """The features the model weighs (what :func:`token_features` given it builds)."""
        return self._scorer.known

    def predict(
        self, text: str, hints: Iterable[Hint] = (), tokens: Sequence[Token] | None = None
    ) -> list[Prediction]:
        """Every span the model tags in ``text``, in text order, with its confidence, after the rules
        over a document's spans (:func:`annotator.tagger.rules.refine`). ``tokens``: ``tokenize(text)``
        when the caller has it already."""
        hints = tuple(hints)
        previous = self._last
        if previous is not None and previous[0] == text and previous[1] == hints:
            return list(previous[2])
        if tokens is None:
            tokens = tokenize(text)
        if not tokens:
            return []
        if self._scorer.words > SEEN_WORDS:
            self._scorer.forget_words()
        layout = feature_layout(text, tokens, hints)
        emissions = self._scorer.emissions(layout)
        path = viterbi(emissions, self._scorer.transitions)
        chances = marginals(emissions, self._scorer.transitions)
        outside = self._tags.index(OUTSIDE) if OUTSIDE in self._tags else -1
        inside = list(itertools.compress(itertools.count(), map(outside.__ne__, path)))
        labels = [path[i] for i in inside]
        # Each token's chance of its tag, for the tokens in a span (the others are in none).
        spans = spans_at(inside, [self._tags[i] for i in labels])
        # The spans are runs of those tokens, one after the other: a span's lowest chance is a run's.
        chosen = chances[np.array(inside, dtype=np.intp), np.array(labels, dtype=np.intp)]
        runs = np.cumsum([0] + [last - first for first, last, _ in spans[:-1]], dtype=np.intp)
        lowest = np.minimum.reduceat(chosen, runs).tolist() if spans else []
        tagged = [
            Tagged(first, last, label, confidence)
            for (first, last, label), confidence in zip(spans, lowest, strict=True)
        ]
        places = {
            found_range
            for hint, found_range in zip(hints, layout.hinted, strict=True)
            if hint.label == "PLACE" and hint.source == "kb" and found_range is not None
        }
        found = [
            Prediction(tokens[t.first][0], tokens[t.last - 1][1], t.label, t.confidence)
            for t in refine(layout.words, tagged, places)
        ]
        self._last = (text, hints, found)
        return list(found)


def split_held_out(
    keys: Sequence[str], share: float = HELD_OUT_SHARE, among: Iterable[int] | None = None
) -> tuple[list[int], list[int]]:
    """Indices of ``keys`` to train on and to hold out: a fixed share (at least one document when there
    are two or more), chosen by a hash of each key so the same document is held out every time.
    ``among``: the indices that may be held out (every one by default), as many of them as the share
    asks at most."""
    if len(keys) < 2:
        return list(range(len(keys))), []
    pool = range(len(keys)) if among is None else among
    order = sorted(pool, key=lambda i: hashlib.sha256(keys[i].encode()).hexdigest())
    count = max(1, round(len(keys) * share))
    held = sorted(order[:count])
    return [i for i in range(len(keys)) if i not in set(held)], held


def score_spans(
    gold: Iterable[Iterable[tuple[int, int, str]]], predicted: Iterable[Iterable[tuple[int, int, str]]]
) -> Scores:
    """Exact-span, label-aware scores over documents given side by side."""
    counts: dict[str, list[int]] = {}  # label: [true positives, gold, predicted]
    documents = 0
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        documents += 1
        g, p = set(gold_spans), set(predicted_spans)
        for _, _, label in g:
            counts.setdefault(label, [0, 0, 0])[1] += 1
        for span in p:
            entry = counts.setdefault(span[2], [0, 0, 0])
            entry[2] += 1
            entry[0] += span in g

    def score(tp: int, n_gold: int, n_predicted: int) -> LabelScore:
        precision = tp / n_predicted if n_predicted else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return LabelScore(precision, recall, f1, n_gold, n_predicted)

    labels = {label: score(*c) for label, c in counts.items()}
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    return Scores(labels, score(*totals), documents)


def evaluate(tagger: Tagger, examples: Sequence[Example], threshold: float = 0.0) -> Scores:
    """The model's scores on ``examples`` (held out from its training), proposals below ``threshold``
    left out."""
    predicted = [
        [(p.start, p.end, p.label) for p in tagger.predict(e.text, e.hints) if p.confidence >= threshold]
        for e in examples
    ]
    return score_spans((e.spans for e in examples), predicted)
