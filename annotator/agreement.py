"""Inter-annotator agreement and the alignment of disagreements: pure functions over finished layers.

The input is every document that at least one annotator finished (``doc_status`` done; imports set it),
with the spans of each layer that finished it; layer ``gold`` is never an annotator. A document counts for
a pair of layers when both finished it. Definitions (SPEC, "Agreement: definitions"):

- ``f1_exact``: 2·|A∩B| / (|A|+|B|) over ``(doc, start, end, label)``; 1.0 when both are empty.
- ``f1_overlap``: the same with matches = a maximum one-to-one pairing of same-label spans sharing at least
  one character (a maximum bipartite matching per document and label, by augmenting paths).
- ``kappa_token`` (Cohen) and ``alpha_token`` (Krippendorff, nominal): over the tokens of ``text.tokenize``.
  A span covers a token when they share at least one character. A token's category in a layer is the label
  of the covering span, or ``O``; where spans of one layer overlap on a token, the longest span wins (then
  the earliest start, then the label name), as SPEC has it for the CoNLL export. Undefined values (no
  shared tokens, or chance agreement 1 because everyone used one category) are ``None``.
- ``per_label``: ``f1_exact`` restricted to one label (so 1.0 for a pair where neither used it), averaged
  over the pairs that share at least one document.
- ``documents``: the documents two or more annotators finished; a pair with none has ``None`` figures.
- Beyond SPEC's JSON: a label confusion table (token categories, summed over pairs, either way round)
  and a per-document agreement, ``f1_exact`` pooled over the document's pairs (``document_agreement``).

Disagreements: in each document finished by two or more layers, a span every one of them has (same start,
end and label) is agreed; the remaining spans are grouped into clusters of spans that share characters
(transitively, across and within layers). Each cluster is one disagreement: ``missing`` when a finished
layer has no span in it, else ``boundary`` when the layers' extents differ, else ``label`` when their
labels differ, else ``link``: every layer has the same spans but links one of them to another KB entry
(or to none). A span is agreed only with the same link everywhere, and keeps it (``DocumentReview.links``),
so gold keeps its KB ids. Links count for nothing else: the agreement figures compare ``(start, end,
label)``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from annotator.model import FinishedDocument, ReviewCounts, SpanKey
from annotator.spans import overlaps, span_precedence
from annotator.text import Token, TokenCache

OUTSIDE = "O"


@dataclass(slots=True)
class Disagreement:
    """One place where the finished layers differ, with every finished layer's version (maybe empty)."""

    doc_id: int
    key: str
    start: int
    end: int
    text: str
    kind: str  # "missing" | "boundary" | "label" | "link"
    versions: dict[str, list[SpanKey]]
    links: dict[str, dict[SpanKey, str]] = field(default_factory=dict)
    """Layer → those of its version's spans that are linked → their ``kb_id``."""

    def link(self, layer: str, span: SpanKey) -> str | None:
        return self.links.get(layer, {}).get(span)

    def labels(self) -> dict[str, str | None]:
        """Each layer's label here: that of its longest span in the cluster, None when it has none."""
        return {
            layer: (min(spans, key=span_precedence)[2] if spans else None)
            for layer, spans in self.versions.items()
        }

    def kb_ids(self) -> dict[str, str | None]:
        """Each layer's KB link here: that of the span :meth:`labels` names, None when unlinked or none."""
        return {
            layer: (self.link(layer, min(spans, key=span_precedence)) if spans else None)
            for layer, spans in self.versions.items()
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.key,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "layers": self.labels(),
            "kb_ids": self.kb_ids(),
        }


@dataclass(frozen=True)
class DocumentReview:
    """What the review screen needs for one document: agreed spans go to gold without a keystroke."""

    doc_id: int
    key: str
    layers: list[str]
    agreed: list[SpanKey]
    disagreements: list[Disagreement]
    agreement: float  # document_agreement of the finished layers
    links: dict[SpanKey, str] = field(default_factory=dict)
    """The agreed spans every layer links to the same KB entry → its ``kb_id``."""


@dataclass
class PairCounts:
    """Everything a pair of layers accumulates over the documents both finished."""

    documents: int = 0
    spans_a: int = 0
    spans_b: int = 0
    exact: int = 0
    overlap: int = 0
    labels_a: Counter[str] = field(default_factory=Counter)
    labels_b: Counter[str] = field(default_factory=Counter)
    labels_both: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (category a, category b)
    outside: int = 0  # tokens no span of any finished layer covers (O for both; not in confusion)


@dataclass
class AgreementReport:
    documents: int
    annotators: list[str]
    pairs: list[dict[str, Any]]
    alpha_token: float | None
    per_label: dict[str, dict[str, float | None]]
    confusion: dict[tuple[str, str], int]
    per_document: list[tuple[str, int, float]]  # (key, finished layers, document_agreement)

    def confusion_count(self, x: str, y: str) -> int:
        """Tokens (summed over pairs) where one layer said ``x`` and the other ``y`` (either way round)."""
        return self.confusion.get((x, y) if x <= y else (y, x), 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "annotators": self.annotators,
            "pairs": self.pairs,
            "alpha_token": self.alpha_token,
            "per_label": self.per_label,
        }


# --- span measures ------------------------------------------------------------------------------------


def f1(matched: int, size_a: int, size_b: int) -> float:
    """2·matched / (|A|+|B|), 1.0 when both are empty."""
    return 1.0 if size_a + size_b == 0 else 2 * matched / (size_a + size_b)


def overlap_matches(a: Iterable[SpanKey], b: Iterable[SpanKey]) -> int:
    """Size of a maximum one-to-one pairing of same-label spans of ``a`` and ``b`` that share a character.

    A maximum bipartite matching on the "same label, shared character" graph. Pairing exact matches
    first would undercount (a long span can free its exact twin for a neighbour), and so would greedy
    pairing; so the spans of one label are cut into groups joined by overlaps (a sweep by start), a group
    of one span from each side is one match, and larger groups get Kuhn's augmenting paths.
    """
    items = sorted(
        [(label, start, end, 0) for start, end, label in a]
        + [(label, start, end, 1) for start, end, label in b]
    )
    total = 0
    group: list[tuple[str, int, int, int]] = []
    sides = 0  # bit 0: the group has a span of a, bit 1: of b
    label = ""
    reach = -1
    for item in items:
        if item[1] >= reach or item[0] != label:
            if sides == 3:
                total += 1 if len(group) == 2 else _group_matches(group)
            group = [item]
            sides = 1 << item[3]
            label = item[0]
            reach = item[2]
        else:
            group.append(item)
            sides |= 1 << item[3]
            if item[2] > reach:
                reach = item[2]
    if sides == 3:
        total += 1 if len(group) == 2 else _group_matches(group)
    return total


def _group_matches(group: list[tuple[str, int, int, int]]) -> int:
    """Kuhn's algorithm on one group holding spans of both sides."""
    left = [(start, end) for _, start, end, side in group if side == 0]
    right = [(start, end) for _, start, end, side in group if side == 1]
    edges = [[j for j, (bs, be) in enumerate(right) if overlaps(as_, ae, bs, be)] for as_, ae in left]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    return sum(1 for i in range(len(left)) if augment(i, set()))


def document_agreement(layers: Iterable[set[SpanKey]]) -> float:
    """One document's agreement: ``f1_exact`` pooled over its pairs of finished layers,
    2·Σ|A∩B| / Σ(|A|+|B|) (so f1_exact itself for two layers; 1.0 without spans).

    Counted per distinct span (:func:`pooled_agreement`); ``store.teams.review_counts`` counts the same
    in SQL.
    """
    held: Counter[SpanKey] = Counter()
    m = 0
    for spans in layers:
        held.update(spans)
        m += 1
    return pooled_agreement(m, sum(c * (c - 1) for c in held.values()), sum(held.values()))


def pooled_agreement(layers: int, shared: int, held: int) -> float:
    """:func:`document_agreement` from counts over a document's distinct spans, each held by ``c`` of the
    ``layers`` finished layers: ``shared`` = Σc(c-1), ``held`` = Σc. A span is in C(c, 2) of the pairs'
    intersections, and the layers' sizes add up to (layers-1)·Σc over the pairs."""
    return shared / ((layers - 1) * held) if held else 1.0


# --- token categories ----------------------------------------------------------------------------------


_label = itemgetter(2)


def token_categories(spans: Iterable[SpanKey], under: dict[tuple[int, int], list[Token]]) -> dict[Token, str]:
    """Category of every token some span covers (token → label); tokens not in the dict are ``O``.

    ``under`` holds the tokens under each span's extent (``TextTokens.overlapping_each``).
    """
    categories: dict[Token, str] = {}
    written = 0
    for start, end, label in spans:
        covered = under[start, end]
        written += len(covered)
        categories.update(dict.fromkeys(covered, label))
    if written != len(categories):
        # Some token lies under two spans: write again, lowest priority first, so the longest wins.
        categories = {}
        for start, end, label in sorted(spans, key=span_precedence, reverse=True):
            categories.update(dict.fromkeys(under[start, end], label))
    return categories


def cohen_kappa(confusion: Counter[tuple[str, str]], total: int) -> float | None:
    """Cohen's kappa from counts of (category a, category b) over ``total`` items (O-O included)."""
    if total == 0:
        return None
    rows: Counter[str] = Counter()
    cols: Counter[str] = Counter()
    agreed = 0
    for (x, y), n in confusion.items():
        rows[x] += n
        cols[y] += n
        if x == y:
            agreed += n
    p_o = agreed / total
    p_e = sum(rows[c] * cols[c] for c in rows) / (total * total)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1 - p_e)


class _Alpha:
    """Krippendorff's alpha (nominal) through its coincidence matrix, from counts of distinct units."""

    def __init__(self) -> None:
        self.units: Counter[tuple[str, ...]] = Counter()  # sorted values of one unit → how many units

    def add_unit(self, values: Sequence[str], times: int = 1) -> None:
        if len(values) >= 2 and times > 0:
            self.units[tuple(values)] += times

    def add_units(self, units: Counter[tuple[str, ...]]) -> None:
        """Counts of units of two or more values each (the order of the values does not matter)."""
        self.units.update(units)

    def value(self) -> float | None:
        disagreeing = 0.0  # sum of the off-diagonal coincidences
        totals: Counter[str] = Counter()  # n_c over pairable values
        for values, times in self.units.items():
            m = len(values)
            counts = Counter(values)
            for c, n in counts.items():
                totals[c] += n * times
            # ordered pairs of different values in the unit, each weighted 1/(m-1)
            same = sum(n * (n - 1) for n in counts.values())
            disagreeing += times * (m * (m - 1) - same) / (m - 1)
        n = sum(totals.values())
        if n < 2:
            return None
        expected = n * n - sum(k * k for k in totals.values())  # sum over c != k of n_c n_k
        if expected == 0:
            return None
        return 1.0 - (n - 1) * disagreeing / expected


# --- the report ----------------------------------------------------------------------------------------


def agreement(documents: Iterable[FinishedDocument], labels: Sequence[str] = ()) -> AgreementReport:
    """Every measure of the module docstring in one pass over the finished documents."""
    pairs: dict[tuple[str, str], PairCounts] = {}
    alpha = _Alpha()
    annotators: set[str] = set()
    shared_documents = 0
    per_document: list[tuple[str, int, float]] = []
    seen_labels: set[str] = set(labels)
    cache = TokenCache()
    for document in documents:
        names = sorted(document.layers)
        annotators.update(names)
        if len(names) < 2:
            continue
        shared_documents += 1
        doc_tokens = cache.text(document.text)
        n_tokens = doc_tokens.count
        sets = {name: set(document.layers[name]) for name in names}
        under = doc_tokens.overlapping_each({span[:2] for spans in sets.values() for span in spans})
        categories = {name: token_categories(sets[name], under) for name in names}
        covered = list(set().union(*categories.values()))
        # Each covered token's categories across the layers, counted: alpha's units, and every pair's
        # confusion; the tokens no span covers are O for everyone.
        units = Counter(
            zip(*(map(categories[name].get, covered, repeat(OUTSIDE)) for name in names), strict=True)
        )
        outside = n_tokens - len(covered)
        for (i, a), (j, b) in itertools.combinations(enumerate(names), 2):
            counts = pairs.setdefault((a, b), PairCounts())
            _count_pair(counts, sets[a], sets[b])
            for values, n in units.items():
                counts.confusion[values[i], values[j]] += n
            counts.outside += outside
        for spans in sets.values():
            seen_labels.update(map(_label, spans))
        per_document.append((document.key, len(names), document_agreement(sets.values())))
        alpha.add_unit([OUTSIDE] * len(names), times=outside)
        alpha.add_units(units)
    for a, b in itertools.combinations(sorted(annotators), 2):
        pairs.setdefault((a, b), PairCounts())
    return _report(pairs, alpha, sorted(annotators), shared_documents, per_document, seen_labels, labels)


def _count_pair(counts: PairCounts, a: set[SpanKey], b: set[SpanKey]) -> None:
    """Add one document's spans to a pair's counts (its tokens are counted by the caller)."""
    counts.documents += 1
    counts.spans_a += len(a)
    counts.spans_b += len(b)
    both = a & b
    counts.exact += len(both)
    counts.labels_a.update(map(_label, a))
    counts.labels_b.update(map(_label, b))
    counts.labels_both.update(map(_label, both))
    counts.overlap += len(a) if len(both) == len(a) == len(b) else overlap_matches(a, b)


def _report(
    pairs: dict[tuple[str, str], PairCounts],
    alpha: _Alpha,
    annotators: list[str],
    shared_documents: int,
    per_document: list[tuple[str, int, float]],
    seen_labels: set[str],
    labels: Sequence[str],
) -> AgreementReport:
    ordered_labels = [*labels, *sorted(seen_labels - set(labels))]
    rows = []
    label_f1: dict[str, list[float]] = {label: [] for label in ordered_labels}
    confusion: Counter[tuple[str, str]] = Counter()
    for (a, b), counts in sorted(pairs.items()):
        row: dict[str, Any] = {"a": a, "b": b, "documents": counts.documents}
        if counts.documents == 0:
            row.update(f1_exact=None, f1_overlap=None, kappa_token=None)
            rows.append(row)
            continue
        tokens_total = counts.outside + sum(counts.confusion.values())
        with_outside = counts.confusion + Counter({(OUTSIDE, OUTSIDE): counts.outside})
        row.update(
            f1_exact=f1(counts.exact, counts.spans_a, counts.spans_b),
            f1_overlap=f1(counts.overlap, counts.spans_a, counts.spans_b),
            kappa_token=cohen_kappa(with_outside, tokens_total),
        )
        rows.append(row)
        for label in ordered_labels:
            label_f1[label].append(
                f1(counts.labels_both[label], counts.labels_a[label], counts.labels_b[label])
            )
        for (x, y), n in with_outside.items():
            confusion[(x, y) if x <= y else (y, x)] += n
    per_label: dict[str, dict[str, float | None]] = {
        label: {"f1_exact": (sum(values) / len(values) if values else None)}
        for label, values in label_f1.items()
    }
    per_document.sort(key=lambda item: (item[2], -item[1], item[0]))
    return AgreementReport(
        documents=shared_documents,
        annotators=annotators,
        pairs=rows,
        alpha_token=alpha.value(),
        per_label=per_label,
        confusion=dict(confusion),
        per_document=per_document,
    )


# --- disagreements -------------------------------------------------------------------------------------


def review_document(document: FinishedDocument) -> DocumentReview:
    """Split a document's finished layers into agreed spans and disagreement clusters."""
    names = sorted(document.layers)
    sets = {name: set(document.layers[name]) for name in names}
    if len(names) < 2:
        return DocumentReview(document.doc_id, document.key, names, [], [], 1.0)
    links = {name: document.links.get(name, {}) for name in names}
    same_label = set.intersection(*sets.values())
    agreed = {span for span in same_label if len({links[name].get(span) for name in names}) == 1}
    rest = sorted((span, name) for name in names for span in sets[name] - agreed)
    disagreements: list[Disagreement] = []
    cluster: list[tuple[SpanKey, str]] = []
    reach = -1
    for span, name in rest:
        if cluster and span[0] >= reach:
            disagreements.append(_disagreement(document, names, cluster))
            cluster = []
        cluster.append((span, name))
        reach = max(reach, span[1]) if len(cluster) > 1 else span[1]
    if cluster:
        disagreements.append(_disagreement(document, names, cluster))
    agreed_links = {span: kb_id for span in agreed if (kb_id := links[names[0]].get(span)) is not None}
    return DocumentReview(
        document.doc_id,
        document.key,
        names,
        sorted(agreed),
        disagreements,
        document_agreement(sets.values()),
        agreed_links,
    )


def _disagreement(
    document: FinishedDocument, names: list[str], cluster: list[tuple[SpanKey, str]]
) -> Disagreement:
    found: dict[str, list[SpanKey]] = {}
    end = 0
    for span, name in cluster:
        found.setdefault(name, []).append(span)
        if span[1] > end:
            end = span[1]
    start = cluster[0][0][0]  # the cluster is sorted by start
    if len(found) < len(names):
        kind = "missing"
        versions = {name: found.get(name, []) for name in names}
    else:
        first, *others = ([span[:2] for span in spans] for spans in found.values())
        if any(other != first for other in others):
            kind = "boundary"
        else:
            first_labels, *other_labels = (sorted(spans) for spans in found.values())
            kind = "label" if any(other != first_labels for other in other_labels) else "link"
        versions = {name: found[name] for name in names}
    links = {
        name: {span: kb_id for span in spans if (kb_id := document.links.get(name, {}).get(span))}
        for name, spans in versions.items()
    }
    return Disagreement(
        document.doc_id, document.key, start, end, document.text[start:end], kind, versions, links
    )


def review_priority(has_disagreements: bool, agreement: float, key: str) -> tuple[bool, float, str]:
    """The review order as a sort key: documents with disagreements first, the least agreed first, then
    by key."""
    return (not has_disagreements, agreement, key)


def review_queue(documents: Iterable[FinishedDocument]) -> list[DocumentReview]:
    """Documents two or more layers finished, in review order (:func:`review_priority`), aligned."""
    reviews = [review_document(d) for d in documents if len(d.layers) >= 2]
    reviews.sort(key=lambda r: review_priority(bool(r.disagreements), r.agreement, r.key))
    return reviews


def review_order(counts: Iterable[ReviewCounts]) -> list[tuple[int, str, float, bool]]:
    """``(doc_id, key, agreement, has disagreements)`` of the counted documents in review order: the
    order and figures of :func:`review_queue` from ``store.teams.review_counts()``, without the spans
    (what the review screen opens with)."""
    order = [(c.doc_id, c.key, pooled_agreement(c.layers, c.shared, c.held), c.partial > 0) for c in counts]
    order.sort(key=lambda row: review_priority(row[3], row[2], row[1]))
    return order
