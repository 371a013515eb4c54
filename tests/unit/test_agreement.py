"""Agreement measures against independent implementations: seqeval (span F1 on IOB2 tags from our tokens),
scikit-learn's cohen_kappa_score, the krippendorff package and scipy's bipartite matching."""

from __future__ import annotations

import itertools
import math
import warnings
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import IOB2
from sklearn.metrics import cohen_kappa_score

from annotator.agreement import agreement, overlap_matches, review_document, review_order, review_queue
from annotator.model import FinishedDocument, Span, SpanKey
from annotator.store import Store
from annotator.text import tokenize

LABELS = ["ACTOR", "PLACE", "EVENT"]
WORDS = ["Alice", "met", "Bob", "in", "Paris", ",", "the", "war", "'s", "end", ".", "Stepanakert", "3,000"]


# --- independent references ----------------------------------------------------------------------------


def iob2(tokens: list[tuple[int, int]], spans: list[SpanKey]) -> list[str]:
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [i for i, (s, e) in enumerate(tokens) if s >= start and e <= end]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 else "I-") + label
    return tags


def category(tokens: list[tuple[int, int]], spans: list[SpanKey]) -> list[str]:
    """A token's category: the longest span sharing a character with it, then the earliest, then by label."""
    out = []
    for s, e in tokens:
        covering = [span for span in spans if span[0] < e and span[1] > s]
        best = sorted(covering, key=lambda sp: (-(sp[1] - sp[0]), sp[0], sp[2]))
        out.append(best[0][2] if best else "O")
    return out


def matching_size(a: list[SpanKey], b: list[SpanKey]) -> int:
    if not a or not b:
        return 0
    graph = np.array(
        [[1 if la == lb and sa < eb and sb < ea else 0 for sb, eb, lb in b] for sa, ea, la in a],
        dtype=np.int8,
    )
    matched = maximum_bipartite_matching(csr_matrix(graph), perm_type="column")
    return int((matched >= 0).sum())


def reference(documents: list[FinishedDocument]) -> dict[str, object]:
    names = sorted({name for d in documents for name in d.layers})
    pairs = []
    per_label: dict[str, list[float]] = {label: [] for label in LABELS}
    for a, b in itertools.combinations(names, 2):
        shared = [d for d in documents if a in d.layers and b in d.layers]
        if not shared:
            pairs.append({"a": a, "b": b, "documents": 0})
            continue
        tags_a, tags_b, cats_a, cats_b = [], [], [], []
        size_a = size_b = overlap = 0
        for d in shared:
            tokens = tokenize(d.text)
            tags_a.append(iob2(tokens, d.layers[a]))
            tags_b.append(iob2(tokens, d.layers[b]))
            cats_a += category(tokens, d.layers[a])
            cats_b += category(tokens, d.layers[b])
            size_a += len(d.layers[a])
            size_b += len(d.layers[b])
            overlap += matching_size(d.layers[a], d.layers[b])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exact = (
                1.0
                if size_a + size_b == 0
                else f1_score(tags_a, tags_b, mode="strict", scheme=IOB2, zero_division=0)
            )
            kappa = cohen_kappa_score(cats_a, cats_b)
            report = classification_report(
                tags_a, tags_b, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
            )
        for label in LABELS:
            per_label[label].append(report[label]["f1-score"] if label in report else 1.0)
        pairs.append(
            {
                "a": a,
                "b": b,
                "documents": len(shared),
                "f1_exact": exact,
                "f1_overlap": 1.0 if size_a + size_b == 0 else 2 * overlap / (size_a + size_b),
                "kappa_token": None if math.isnan(kappa) else kappa,
            }
        )
    return {"pairs": pairs, "alpha": reference_alpha(documents, names), "per_label": per_label}


def reference_alpha(documents: list[FinishedDocument], names: list[str]) -> float | None:
    codes = {c: i for i, c in enumerate(["O", *LABELS])}
    rows: list[list[float]] = [[] for _ in names]
    for d in documents:
        tokens = tokenize(d.text)
        for row, name in zip(rows, names, strict=True):
            if name in d.layers:
                row += [codes[c] for c in category(tokens, d.layers[name])]
            else:
                row += [np.nan] * len(tokens)
    data = np.array(rows, dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if (
        len(names) < 2
        or not pairable.any()
        or len(np.unique(data[:, pairable][~np.isnan(data[:, pairable])])) < 2
    ):
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def assert_matches_reference(documents: list[FinishedDocument]) -> None:
    report = agreement(documents, LABELS)
    expected = reference(documents)
    assert [(p["a"], p["b"], p["documents"]) for p in report.pairs] == [
        (p["a"], p["b"], p["documents"])
        for p in expected["pairs"]  # type: ignore[attr-defined]
    ]
    for ours, theirs in zip(report.pairs, expected["pairs"], strict=True):  # type: ignore[call-overload]
        for measure in ("f1_exact", "f1_overlap", "kappa_token"):
            if theirs["documents"] == 0:
                assert ours[measure] is None
            elif theirs[measure] is None:
                assert ours[measure] is None, measure
            else:
                assert ours[measure] == pytest.approx(theirs[measure], abs=1e-9), measure
    if expected["alpha"] is None:
        assert report.alpha_token is None
    else:
        assert report.alpha_token == pytest.approx(expected["alpha"], abs=1e-9)
    for label, values in expected["per_label"].items():  # type: ignore[attr-defined]
        got = report.per_label[label]["f1_exact"]
        if not values:
            assert got is None
        else:
            assert got == pytest.approx(sum(values) / len(values), abs=1e-9)


# --- random layers ---------------------------------------------------------------------------------------


@st.composite
def corpora(draw: st.DrawFn, overlapping: bool = False) -> list[FinishedDocument]:
    n_docs = draw(st.integers(1, 4))
    names = draw(st.lists(st.sampled_from(["alice", "bob", "carol"]), min_size=1, max_size=3, unique=True))
    texts = [" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))) for _ in range(n_docs)]
    documents = []
    for doc_id, text in enumerate(texts):
        tokens = tokenize(text)
        layers: dict[str, list[SpanKey]] = {}
        for name in names:
            if not draw(st.booleans()) and len(names) > 1:
                continue  # this annotator has not finished the document
            spans: set[SpanKey] = set()
            taken: set[int] = set()
            for _ in range(draw(st.integers(0, 4))):
                first = draw(st.integers(0, len(tokens) - 1))
                last = min(len(tokens) - 1, first + draw(st.integers(0, 2)))
                if not overlapping and taken & set(range(first, last + 1)):
                    continue
                taken |= set(range(first, last + 1))
                spans.add((tokens[first][0], tokens[last][1], draw(st.sampled_from(LABELS))))
            layers[name] = sorted(spans)
        documents.append(FinishedDocument(doc_id, f"d{doc_id}", text, layers))
    return documents


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_random_layers_match_seqeval_sklearn_krippendorff(documents: list[FinishedDocument]) -> None:
    assert_matches_reference(documents)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(overlapping=True))
def test_overlapping_spans_token_measures_and_matching(documents: list[FinishedDocument]) -> None:
    """With overlapping spans IOB2 cannot hold a layer, so only the token measures and the matching are
    compared (the longest covering span gives a token its category)."""
    report = agreement(documents, LABELS)
    expected = reference(documents)
    for ours, theirs in zip(report.pairs, expected["pairs"], strict=True):  # type: ignore[call-overload]
        if theirs["documents"]:
            assert ours["f1_overlap"] == pytest.approx(theirs["f1_overlap"], abs=1e-9)
            if theirs["kappa_token"] is None:
                assert ours["kappa_token"] is None
            else:
                assert ours["kappa_token"] == pytest.approx(theirs["kappa_token"], abs=1e-9)
    if expected["alpha"] is None:
        assert report.alpha_token is None
    else:
        assert report.alpha_token == pytest.approx(expected["alpha"], abs=1e-9)


# --- hand-made cases -------------------------------------------------------------------------------------

TEXT = "Alice met Bob in Paris on Monday after the war in Karabakh ."


def doc(doc_id: int, **layers: list[SpanKey]) -> FinishedDocument:
    return FinishedDocument(doc_id, f"d{doc_id}", TEXT, layers)


def test_hand_made_pair() -> None:
    alice = [(0, 5, "ACTOR"), (17, 22, "PLACE"), (43, 58, "EVENT")]
    bob = [(0, 5, "ACTOR"), (17, 22, "ACTOR"), (47, 58, "EVENT"), (10, 13, "ACTOR")]
    documents = [doc(1, alice=alice, bob=bob)]
    report = agreement(documents, LABELS)
    (pair,) = report.pairs
    assert pair["f1_exact"] == pytest.approx(2 * 1 / 7)
    assert pair["f1_overlap"] == pytest.approx(2 * 2 / 7)  # Alice exact, the war overlapping
    assert_matches_reference(documents)


def test_empty_layers_agree_perfectly_on_spans_and_kappa_is_undefined() -> None:
    documents = [doc(1, alice=[], bob=[]), doc(2, alice=[], bob=[])]
    report = agreement(documents, LABELS)
    assert report.pairs == [
        {"a": "alice", "b": "bob", "documents": 2, "f1_exact": 1.0, "f1_overlap": 1.0, "kappa_token": None}
    ]
    assert report.alpha_token is None  # one category only: chance agreement is 1
    assert report.per_label["PLACE"]["f1_exact"] == 1.0
    assert_matches_reference(documents)


def test_one_annotator_only() -> None:
    report = agreement([doc(1, alice=[(0, 5, "ACTOR")]), doc(2, alice=[])], LABELS)
    assert report.to_json() == {
        "documents": 0,
        "annotators": ["alice"],
        "pairs": [],
        "alpha_token": None,
        "per_label": {label: {"f1_exact": None} for label in LABELS},
    }


def test_three_annotators_with_missing_documents() -> None:
    documents = [
        doc(1, alice=[(0, 5, "ACTOR")], bob=[(0, 5, "ACTOR"), (17, 22, "PLACE")]),
        doc(2, bob=[(17, 22, "PLACE")], carol=[(17, 22, "ACTOR")]),
        doc(3, alice=[(43, 58, "EVENT")], carol=[(43, 58, "EVENT"), (0, 5, "ACTOR")]),
        doc(4, carol=[(0, 5, "ACTOR")]),
    ]
    report = agreement(documents, LABELS)
    assert [(p["a"], p["b"], p["documents"]) for p in report.pairs] == [
        ("alice", "bob", 1),
        ("alice", "carol", 1),
        ("bob", "carol", 1),
    ]
    assert report.documents == 3
    assert [p["f1_exact"] for p in report.pairs] == pytest.approx([2 / 3, 2 / 3, 0.0])
    assert_matches_reference(documents)


def test_pair_without_shared_documents_has_no_figures() -> None:
    documents = [doc(1, alice=[], bob=[]), doc(2, carol=[(0, 5, "ACTOR")])]
    report = agreement(documents, LABELS)
    assert report.pairs[1] == {
        "a": "alice",
        "b": "carol",
        "documents": 0,
        "f1_exact": None,
        "f1_overlap": None,
        "kappa_token": None,
    }


def test_overlap_matching_is_maximum_not_greedy() -> None:
    # Greedy pairing of a[0] with b[0] would leave a[1] unmatched; the maximum pairs both.
    a = [(0, 10, "PLACE"), (8, 12, "PLACE")]
    b = [(5, 9, "PLACE"), (11, 20, "PLACE")]
    assert overlap_matches(a, b) == 2 == matching_size(a, b)
    assert overlap_matches([(0, 10, "PLACE")], [(0, 4, "PLACE"), (5, 10, "PLACE")]) == 1
    assert overlap_matches([(0, 10, "PLACE")], [(0, 10, "ACTOR")]) == 0
    assert overlap_matches([(0, 5, "PLACE")], [(5, 10, "PLACE")]) == 0  # touching is not sharing


def test_per_document_is_worst_first() -> None:
    documents = [
        doc(1, alice=[(0, 5, "ACTOR")], bob=[(0, 5, "ACTOR")]),
        doc(2, alice=[(0, 5, "ACTOR")], bob=[(0, 5, "PLACE")]),
        doc(3, alice=[(0, 5, "ACTOR"), (10, 13, "ACTOR")], bob=[(0, 5, "ACTOR")]),
    ]
    report = agreement(documents, LABELS)
    assert [(key, value) for key, _, value in report.per_document] == [
        ("d2", 0.0),
        ("d3", pytest.approx(2 / 3)),
        ("d1", 1.0),
    ]
    assert report.confusion_count("ACTOR", "PLACE") == 1
    assert report.confusion_count("PLACE", "ACTOR") == 1
    assert report.confusion_count("ACTOR", "O") == 1  # Bob in d3


# --- disagreements ---------------------------------------------------------------------------------------


def test_disagreements_are_classified() -> None:
    review = review_document(
        doc(
            1,
            alice=[(0, 5, "ACTOR"), (17, 22, "PLACE"), (43, 58, "EVENT"), (59, 60, "EVENT")],
            bob=[(0, 5, "ACTOR"), (17, 22, "ACTOR"), (47, 58, "EVENT"), (10, 13, "ACTOR")],
            carol=[(0, 5, "ACTOR"), (17, 22, "ACTOR"), (43, 58, "EVENT"), (10, 13, "ACTOR")],
        )
    )
    assert review.agreed == [(0, 5, "ACTOR")]
    assert [(d.start, d.end, d.text, d.kind, d.labels()) for d in review.disagreements] == [
        (10, 13, "Bob", "missing", {"alice": None, "bob": "ACTOR", "carol": "ACTOR"}),
        (17, 22, "Paris", "label", {"alice": "PLACE", "bob": "ACTOR", "carol": "ACTOR"}),
        (
            43,
            58,
            "war in Karabakh",
            "boundary",
            {"alice": "EVENT", "bob": "EVENT", "carol": "EVENT"},
        ),
        (59, 60, ".", "missing", {"alice": "EVENT", "bob": None, "carol": None}),
    ]
    assert review.disagreements[2].versions == {
        "alice": [(43, 58, "EVENT")],
        "bob": [(47, 58, "EVENT")],
        "carol": [(43, 58, "EVENT")],
    }


def test_boundary_with_different_labels_is_boundary_and_chains_join_one_cluster() -> None:
    review = review_document(doc(1, alice=[(0, 9, "ACTOR"), (10, 16, "PLACE")], bob=[(6, 13, "PLACE")]))
    (only,) = review.disagreements
    assert (only.start, only.end, only.kind) == (0, 16, "boundary")
    assert only.versions == {"alice": [(0, 9, "ACTOR"), (10, 16, "PLACE")], "bob": [(6, 13, "PLACE")]}


def test_review_queue_puts_disagreements_first_worst_first() -> None:
    queue = review_queue(
        [
            doc(1, alice=[(0, 5, "ACTOR")], bob=[(0, 5, "ACTOR")]),
            doc(2, alice=[(0, 5, "ACTOR"), (10, 13, "ACTOR")], bob=[(0, 5, "ACTOR")]),
            doc(3, alice=[(0, 5, "ACTOR")], bob=[(0, 5, "PLACE")]),
            doc(4, alice=[(0, 5, "ACTOR")]),
        ]
    )
    assert [(r.key, len(r.disagreements)) for r in queue] == [("d3", 1), ("d2", 1), ("d1", 0)]


@settings(max_examples=100, deadline=None)
@given(corpora(overlapping=True))
def test_disagreements_cover_exactly_what_is_not_agreed(documents: list[FinishedDocument]) -> None:
    for document in documents:
        review = review_document(document)
        if len(document.layers) < 2:
            assert review.disagreements == []
            continue
        in_clusters = {
            (name, span) for d in review.disagreements for name, spans in d.versions.items() for span in spans
        }
        expected = {
            (name, span)
            for name, spans in document.layers.items()
            for span in spans
            if span not in review.agreed
        }
        assert in_clusters == expected
        assert all(set(review.agreed) <= set(spans) for spans in document.layers.values())
        for one, two in itertools.pairwise(review.disagreements):
            assert one.end <= two.start  # clusters are disjoint and ordered


# --- the review order the store computes, against the alignment -----------------------------------------


def test_store_review_order_matches_review_queue(db: Path) -> None:
    """The SQL ordering the review screen starts from agrees with the Python alignment, figure for figure."""
    import random

    from annotator.model import ImportRecord

    rng = random.Random(6)
    records = []
    for i in range(40):
        text = " ".join(rng.choice(WORDS) for _ in range(15)) + f" {i}"
        tokens = tokenize(text)
        for name in ("alice", "bob", "carol"):
            if rng.random() < 0.3:
                continue  # not finished by this annotator
            spans = set()
            for _ in range(rng.randint(0, 4)):
                first = rng.randrange(len(tokens))
                last = min(len(tokens) - 1, first + rng.randint(0, 2))
                spans.add(Span(tokens[first][0], tokens[last][1], rng.choice(LABELS)))
            records.append(
                ImportRecord(text, f"k{i}", "t", spans=sorted(spans, key=lambda s: s.start), layer=name)
            )
    with Store(db) as store:
        store.documents.import_records(records, default_layer="alice")
        # unfinished work does not count
        store.progress.set_status(store.documents.id_of("k0"), "bob", "in_progress")
        finished = list(store.teams.finished_documents())
        queue = review_queue(finished)
        order = review_order(store.teams.review_counts())
        assert [(r.doc_id, r.key, bool(r.disagreements)) for r in queue] == [
            (o[0], o[1], o[3]) for o in order
        ]
        assert [r.agreement for r in queue] == pytest.approx([o[2] for o in order])
        assert any(not o[3] for o in order) and any(o[3] for o in order)
        some = [d.doc_id for d in finished[::3]]
        assert list(store.teams.finished_documents(some)) == [d for d in finished if d.doc_id in some]
        assert list(store.teams.finished_documents([])) == []
