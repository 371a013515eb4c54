"""The tagger scores without crfsuite: the weights read from a model's bytes, the emissions summed word by
word, Viterbi and forward-backward in numpy blocks. Each against an independent reference: crfsuite's own
tagger on the dev corpus (the same labels, marginals within 1e-6), the sum of the weights of every string
``token_features`` builds (what training gives crfsuite), and the recursions token by token."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pycrfsuite
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.kb import KnowledgeBase, Learned
from annotator.suggest import hints as proposer_hints
from annotator.tagger import Example, Hint, Tagger, decoding, train
from annotator.tagger.decoding import marginals, viterbi
from annotator.tagger.features import feature_layout, hint_ranges, spans_of, token_features
from annotator.tagger.rules import Tagged, refine
from annotator.tagger.scoring import Scorer
from annotator.tagger.starter import starter_bytes
from annotator.tagger.weights import ModelFormatError, read_weights
from annotator.text import Token, token_range, tokenize
from tests.conftest import dev_corpus

Array = npt.NDArray[np.float64]


def viterbi_token_by_token(emissions: Array, transitions: Array) -> list[int]:
    """crfsuite's ``crf1dc_viterbi``, line by line."""
    n, labels = emissions.shape
    best = list(emissions[0])
    back: list[list[int]] = []
    for t in range(1, n):
        here, links = [], []
        for j in range(labels):
            top, arg = -np.inf, -1
            for i in range(labels):
                score = best[i] + transitions[i, j]
                if top < score:
                    top, arg = score, i
            links.append(arg)
            here.append(top + emissions[t, j])
        back.append(links)
        best = here
    last = max(range(labels), key=lambda i: (best[i], -i))
    path = [last]
    for links in reversed(back):
        path.append(links[path[-1]])
    return path[::-1]


def marginals_token_by_token(emissions: Array, transitions: Array) -> Array:
    """crfsuite's scaled alpha and beta recursions and ``crf1dc_marginal_point``."""
    n, labels = emissions.shape
    states, trans = np.exp(emissions), np.exp(transitions)
    alpha, beta, scale = np.empty((n, labels)), np.empty((n, labels)), np.empty(n)
    current = states[0]
    for t in range(n):
        if t:
            current = (alpha[t - 1] @ trans) * states[t]
        scale[t] = 1 / current.sum()
        alpha[t] = current * scale[t]
    beta[n - 1] = scale[n - 1]
    for t in range(n - 2, -1, -1):
        beta[t] = trans @ (states[t + 1] * beta[t + 1]) * scale[t]
    result: Array = alpha * beta / scale[:, None]
    return result


def random_chains() -> Iterator[tuple[Array, Array]]:
    rng = np.random.default_rng(7)
    lengths = [*range(1, 60), 95, 96, 97, 98, 143, 144, 145, 500, 1201]
    for n in lengths:
        for emission_scale, transition_scale in ((3.0, 2.0), (0.3, 0.2), (1.0, 6.0)):
            labels = int(rng.integers(2, 8))
            emissions = rng.normal(0, emission_scale, (n, labels))
            yield emissions, rng.normal(0, transition_scale, (labels, labels))


@pytest.mark.parametrize("warm_up", [None, 1, 2])
def test_viterbi_and_marginals_are_the_token_by_token_recursions(
    monkeypatch: pytest.MonkeyPatch, warm_up: int | None
) -> None:
    # A warm-up of 1 or 2 tokens almost never settles a block: every block then takes the vector of the
    # block before it, the path taken where the model hesitates for long.
    if warm_up is not None:
        monkeypatch.setattr(decoding, "PATH_WARM_UP", warm_up)
        monkeypatch.setattr(decoding, "MESSAGE_WARM_UP", warm_up)
    for emissions, transitions in random_chains():
        assert viterbi(emissions, transitions) == viterbi_token_by_token(emissions, transitions)
        found = marginals(emissions, transitions)
        assert np.abs(found - marginals_token_by_token(emissions, transitions)).max() < 1e-10
        assert found.sum(axis=1) == pytest.approx(1.0)


def test_equal_scores_keep_the_first_label_as_crfsuite_does() -> None:
    for n in (1, 2, 49, 50, 200):
        assert viterbi(np.zeros((n, 5)), np.zeros((5, 5))) == [0] * n
        assert marginals(np.zeros((n, 5)), np.zeros((5, 5))) == pytest.approx(np.full((n, 5), 0.2))
    assert viterbi(np.zeros((0, 3)), np.zeros((3, 3))) == []
    assert marginals(np.zeros((0, 3)), np.zeros((3, 3))).shape == (0, 3)


def test_the_weights_are_crfsuites_to_the_last_bit() -> None:
    raw = zlib.decompress(starter_bytes(with_kb=True))
    weights = read_weights(raw)
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(raw)
    info = tagger.info()
    assert list(weights.labels) == tagger.labels()
    assert set(weights.attributes) == set(info.attributes)
    attribute = {a: i for i, a in enumerate(weights.attributes)}
    label = {name: i for i, name in enumerate(weights.labels)}
    nonzero = {(attribute[a], label[y]) for a, y in info.state_features}
    assert nonzero == set(zip(*np.nonzero(weights.state), strict=True))
    for (a, y), weight in info.state_features.items():  # crfsuite's dump prints six decimals
        assert weights.state[attribute[a], label[y]] == pytest.approx(weight, abs=5.1e-7)
    for (i, j), weight in info.transitions.items():
        assert weights.transitions[label[i], label[j]] == pytest.approx(weight, abs=5.1e-7)
    # Exactly: a one-token text holding one attribute has crfsuite's marginals softmax(its weights).
    for name in ["bias", *weights.attributes[1:4000:97]]:
        tagger.set([[name]])
        expected = [tagger.marginal(y, 0) for y in weights.labels]
        row = weights.state[attribute[name]]
        assert np.abs(np.exp(row) / np.exp(row).sum() - expected).max() < 1e-15


def test_bytes_that_are_not_a_crfsuite_model_are_refused() -> None:
    raw = zlib.decompress(starter_bytes(with_kb=False))
    for bad in (b"", b"lCRF", b"x" * 200, raw[:48] + b"\0" * 100, raw[: len(raw) // 2], raw[:-30]):
        with pytest.raises(ModelFormatError):
            read_weights(bad)


@dataclass(frozen=True)
class Document:
    key: str
    text: str
    spans: list[tuple[int, int, str]]


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    path = dev_corpus()
    if path is None:
        pytest.skip("the dev corpus (shared/corpus/gum_dev.jsonl) is not beside this checkout")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        out.append(Document(d["id"], d["text"], [(s["start"], s["end"], s["label"]) for s in d["spans"]]))
    assert len(out) == 22
    return out


def document_hints(document: Document, corpus: list[Document]) -> list[Hint]:
    """Learned strings from the other documents (the proposer's own), and gazetteer hints where every
    other gold place is, so that both kinds of hint features are scored."""
    learned = Learned(
        (other.text[s:e], label, None, 1)
        for other in corpus
        if other is not document
        for s, e, label in other.spans
    )
    found = proposer_hints(document.text, KnowledgeBase(None, learned))
    places = [s for s in document.spans if s[2] == "PLACE"][::2]
    return found + [Hint(s, e, label, "kb") for s, e, label in places]


@pytest.fixture(scope="module")
def models(corpus: list[Document]) -> dict[str, bytes]:
    """The two starters, and a model trained here on 6 documents with the features as they are now: a
    feature added to the feature code has weights in it, and is scored or the test fails."""
    team = corpus[:6]
    fresh = train(Example(d.key, d.text, d.spans, document_hints(d, team)) for d in team)
    return {"starter": starter_bytes(True), "starter-plain": starter_bytes(False), "trained": fresh.data}


def crfsuite_tags(raw: bytes, features: list[list[str]]) -> tuple[list[str], Array, tuple[str, ...]]:
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(raw)
    tagger.set(features)
    labels = tuple(tagger.labels())
    chances = np.array([[tagger.marginal(y, t) for y in labels] for t in range(len(features))])
    return tagger.tag(), chances, labels


@pytest.mark.parametrize("name", ["starter", "starter-plain", "trained"])
def test_the_scorer_gives_crfsuites_labels_and_marginals_on_the_dev_corpus(
    corpus: list[Document], models: dict[str, bytes], name: str
) -> None:
    raw = zlib.decompress(models[name])
    scorer = Scorer(read_weights(raw))  # one scorer for every document: the words it keeps are reused
    for document in corpus:
        tokens = tokenize(document.text)
        hints = document_hints(document, corpus)
        expected_tags, expected, labels = crfsuite_tags(raw, token_features(document.text, tokens, hints))
        assert labels == scorer.labels
        layout = feature_layout(document.text, tokens, hints)
        emissions = scorer.emissions(layout)
        path = viterbi(emissions, scorer.transitions)
        assert [labels[i] for i in path] == expected_tags, document.key
        assert np.abs(marginals(emissions, scorer.transitions) - expected).max() <= 1e-6, document.key
    assert scorer.words > 1024  # more words than the scorer first holds room for


def weights_of_strings(scorer_raw: bytes, features: list[list[str]]) -> Array:
    weights = read_weights(scorer_raw)
    index = {a: i for i, a in enumerate(weights.attributes)}
    out = np.zeros((len(features), len(weights.labels)))
    for t, strings in enumerate(features):
        for feature in strings:
            if feature in index:
                out[t] += weights.state[index[feature]]
    return out


def test_the_scorer_weighs_every_string_the_feature_code_builds(
    corpus: list[Document], models: dict[str, bytes]
) -> None:
    """What training gives crfsuite (``token_features``, every string) against what the scorer sums: a
    feature template added anywhere in the feature code is in both, or this fails."""
    raw = zlib.decompress(models["trained"])
    scorer = Scorer(read_weights(raw))
    for document in corpus:
        tokens = tokenize(document.text)
        hints = document_hints(document, corpus)
        expected = weights_of_strings(raw, token_features(document.text, tokens, hints))
        found = scorer.emissions(feature_layout(document.text, tokens, hints))
        assert np.abs(found - expected).max() < 1e-9, document.key
        scorer.forget_words()  # and again from nothing for the next document


def crfsuite_predict(raw: bytes, text: str, hints: list[Hint]) -> list[tuple[int, int, str, float]]:
    """What the tagger predicted when crfsuite tagged (the rules over its spans)."""
    tokens: list[Token] = tokenize(text)
    tags, chances, labels = crfsuite_tags(raw, token_features(text, tokens, hints))
    tagged = [
        Tagged(first, last, label, min(float(chances[i, labels.index(tags[i])]) for i in range(first, last)))
        for first, last, label in spans_of(tags)
    ]
    places = {
        found
        for h in hints
        if h.label == "PLACE" and h.source == "kb" and (found := token_range(tokens, h.start, h.end))
    }
    words = [text[s:e] for s, e in tokens]
    refined = refine(words, tagged, places)
    return [(tokens[t.first][0], tokens[t.last - 1][1], t.label, t.confidence) for t in refined]


def test_the_tagger_predicts_what_crfsuite_tagged(corpus: list[Document], models: dict[str, bytes]) -> None:
    tagger = Tagger(models["starter"])
    raw = zlib.decompress(models["starter"])
    for document in corpus:
        hints = document_hints(document, corpus)
        expected = crfsuite_predict(raw, document.text, hints)
        found = tagger.predict(document.text, hints)
        assert [(p.start, p.end, p.label) for p in found] == [e[:3] for e in expected], document.key
        assert [p.confidence for p in found] == pytest.approx([e[3] for e in expected], abs=1e-6)
    assert expected


@settings(max_examples=300)
@given(
    st.text(alphabet=st.sampled_from("ab .,\n"), max_size=20),
    st.lists(st.tuples(st.integers(-2, 24), st.integers(-2, 6)), max_size=6),
)
def test_the_hints_token_ranges_at_once_are_token_range_s(text: str, spans: list[tuple[int, int]]) -> None:
    tokens = tokenize(text)
    hints = [Hint(start, start + length, "PLACE", "kb") for start, length in spans]
    assert hint_ranges(tokens, hints) == [token_range(tokens, h.start, h.end) for h in hints]
