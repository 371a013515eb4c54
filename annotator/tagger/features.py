"""What the CRF sees of each token: its shape, affixes, its WordNet noun senses (``exhibit``, ``war``
and ``election`` are acts and events the team may never have tagged), a window of context, whether a
capitalised word is part of a longer name elsewhere in the document (``Mohamed`` of ``Ahmed Mohamed``),
and which other proposer (gazetteer, learned strings) put it inside a proposal of which label.

Tokens are the project's own (:func:`annotator.text.tokenize`), so a predicted span is always a span the
annotation screen could make. Spans become BIO tags: where spans of one layer overlap only the longest
stands (as in CoNLL), since a tag sequence cannot hold nesting.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import operator
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from typing import NamedTuple, cast, overload

import numpy as np
import numpy.typing as npt

from annotator.spans import span_precedence
from annotator.text import Token, line_breaks, sentence_starts, token_range

OUTSIDE = "O"


class Hint(NamedTuple):
    """A span another proposer found: ``source`` is ``kb`` (the gazetteer, other KB entries) or
    ``learned``."""

    start: int
    end: int
    label: str
    source: str


_ASCII_KINDS = str.maketrans(
    {**{c: "X" for c in string.ascii_uppercase}, **{c: "x" for c in string.ascii_lowercase},
     **{c: "d" for c in string.digits}}
)  # fmt: skip
_RUN_OF_THREE = re.compile(r"(.)\1\1+", re.DOTALL)
_RUN = re.compile(r"(.)\1+", re.DOTALL)


def _kinds(word: str) -> str:
    """Each character's kind: ``X`` upper case, ``x`` lower case, ``d`` a digit, else itself."""
    if word.isascii():
        return word.translate(_ASCII_KINDS)
    return "".join(
        "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch for ch in word
    )


@functools.lru_cache(maxsize=8192)
def _shapes(kinds: str) -> tuple[str, str]:
    """:func:`shape` and :func:`short_shape` of a word whose characters' kinds are ``kinds`` (words of
    one shape share them: cached)."""
    return _RUN_OF_THREE.sub(r"\1\1", kinds), _RUN.sub(r"\1", kinds)


def shape(word: str) -> str:
    """``Xxxx`` for ``Paris``, ``dd`` for ``12``: runs of one kind of character cut to two."""
    return _shapes(_kinds(word))[0]


def short_shape(word: str) -> str:
    """``Xx`` for ``Paris``, ``X.X.`` for ``U.S.``: runs collapsed to one character."""
    return _shapes(_kinds(word))[1]


def bio_tags(tokens: Sequence[Token], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """One tag per token: ``B-LABEL``, ``I-LABEL`` or ``O``. Spans that overlap one already placed (the
    longest first) or that hold no token are left out."""
    tags = [OUTSIDE] * len(tokens)
    for start, end, label in sorted(spans, key=span_precedence):
        found = token_range(tokens, start, end)
        if found is None:
            continue
        first, last = found
        if any(tag != OUTSIDE for tag in tags[first:last]):
            continue
        tags[first] = f"B-{label}"
        for i in range(first + 1, last):
            tags[i] = f"I-{label}"
    return tags


def spans_of(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, last, label)`` token ranges (last exclusive) of a BIO sequence; an ``I-`` with no ``B-``
    before it starts a span, as conlleval reads it."""
    # Only the tokens in some span are looked at: most are outside one.
    inside = [i for i, tag in enumerate(tags) if tag != OUTSIDE]
    return spans_at(inside, [tags[i] for i in inside])


def spans_at(inside: Sequence[int], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """:func:`spans_of` given only the tokens not outside a span, in order, and their tags."""
    found: list[tuple[int, int, str]] = []
    start, last, label = -1, -1, ""
    for i, tag in zip(inside, tags, strict=True):
        if i == last + 1 and start >= 0 and tag.startswith("I-") and tag[2:] == label:
            last = i
            continue
        if start >= 0:
            found.append((start, last + 1, label))
        start, last, label = i, i, tag[2:]
    if start >= 0:
        found.append((start, last + 1, label))
    return found


MEMORY = "doc"
"""The hint source of :func:`memory_hints`: text tagged earlier in the same document."""


def memory_hints(
    text: str, tokens: Sequence[Token], tagged: Iterable[tuple[int, int, str]], causal: bool = False
) -> list[Hint]:
    """The in-document label memory: every other occurrence in ``text`` of the words of a span tagged in
    it (``(start, end, label)``), with the label last tagged on those words, as a hint of source
    :data:`MEMORY`. What the annotator tagged in *this* document says most about it (GUM labels a
    country ACTOR or PLACE for a whole document; a team's guideline may too), and the model weighs it
    beside the context: ``Armenia says`` after ``Armenia`` was tagged ACTOR.

    ``causal``: only the occurrences after a tagging count, as an annotator reading in order has them
    (how training documents are given it); otherwise every tagging counts, wherever it is."""
    words = [text[s:e] for s, e in tokens]
    # first word: {the span's words: [(its first token, label)]}
    by_first: dict[str, dict[tuple[str, ...], list[tuple[int, str]]]] = {}
    for start, end, label in sorted(tagged):
        found = token_range(tokens, start, end)
        if found is None:
            continue
        first, last = found
        span_words = tuple(words[first:last])
        by_first.setdefault(span_words[0], {}).setdefault(span_words, []).append((first, label))
    out: list[Hint] = []
    n = len(tokens)
    for i, word in enumerate(words):
        candidates = by_first.get(word)
        if candidates is None:
            continue
        for span_words, taggings in candidates.items():
            last = i + len(span_words)
            if last > n or tuple(words[i:last]) != span_words:
                continue
            if causal:  # what was tagged before, the span here untagged yet
                before = [label for first, label in taggings if first < i]
                if not before:
                    continue
                label = before[-1]
            elif any(first == i for first, _ in taggings):
                continue  # the tagged span itself
            else:
                label = taggings[-1][1]
            out.append(Hint(tokens[i][0], tokens[last - 1][1], label, MEMORY))
    return out


SUPERSENSES_FILE = "supersenses.tsv.gz"


class Senses(NamedTuple):
    """What WordNet says of a noun (``data/supersenses.tsv.gz``, built by ``bench/lexicon.py``)."""

    first: str
    """The lexicographer file ("supersense") of its most frequent sense: ``act``, ``person``..."""
    top: tuple[str, ...]
    """Those of its first three senses."""
    above: tuple[str, ...]
    """The nearest classes above its first three senses (hypernyms, or what a name is an instance of),
    nearest first: ``war`` is a ``military_action``, a ``group_action``...; ``armenia`` an
    ``asian_country``, a ``country``..."""


@functools.cache
def supersenses() -> dict[str, Senses]:
    """WordNet's one-word noun lemmas and their :class:`Senses`: what says ``exhibit`` or ``ceasefire``
    may be an event, or ``Stepanakert``'s neighbour ``Armenia`` a country, when the team's documents
    never held them."""
    raw = resources.files("annotator.tagger").joinpath("data", SUPERSENSES_FILE).read_bytes()
    out: dict[str, Senses] = {}
    for line in gzip.decompress(raw).decode().splitlines():
        lemma, first, top, above = line.split("\t")
        out[lemma] = Senses(first, tuple(top.split(",")), tuple(above.split(",")) if above else ())
    return out


def _senses_of(lowers: Sequence[str]) -> list[Senses | None]:
    """:func:`_senses` of each word: the words themselves looked up at once, the plurals' singulars
    after."""
    found = list(map(supersenses().get, lowers))
    for j in [j for j, senses in enumerate(found) if senses is None]:
        lower = lowers[j]
        if lower.endswith("s") and len(lower) > 3:
            found[j] = _senses(lower)
    return found


def _senses(lower: str) -> Senses | None:
    """The noun senses of a word in lower case, or of its singular (``-s``, ``-es``, ``-ies``)."""
    lexicon = supersenses()
    found = lexicon.get(lower)
    if found is None and lower.endswith("s") and len(lower) > 3:
        found = (
            (lexicon.get(lower[:-3] + "y") if lower.endswith("ies") else None)
            or lexicon.get(lower[:-1])
            or (lexicon.get(lower[:-2]) if lower.endswith("es") else None)
        )
    return found


def noun_senses(word: str) -> Senses | None:
    """The WordNet noun senses of ``word`` (any case; a plural read as its singular), or None when
    WordNet has no such noun."""
    return _senses(word.lower())


Column = tuple[str, Sequence["str | None"]]
"""One template over some words: its prefix and each word's value, None where the word has no such
feature; a word's feature is the prefix and its value (``w=`` and ``paris``: ``w=paris``)."""

WINDOW = (0, -1, 1, -2, 2)
"""What a token gets from the words around it: part ``k`` of the features of the word at offset
``WINDOW[k]`` (:func:`word_columns`), in the order the strings are given to crfsuite: its own word's
features, what the previous word gives the next one (``-1w=``...), the next word's ``+1w=``..., then
``-2w=`` and ``+2w=``."""
PAD = max(map(abs, WINDOW))
"""Words either side of a text: as far as WINDOW looks. Next to the text the edge (the first token's
previous word is ``-1edge``), further out a word with no features (the first token has no word two
before it)."""
SHARED_VALUES: dict[str, tuple[str, ...]] = {
    "lower": ("w=", "-1w=", "+1w=", "-2w=", "+2w=", "sentence_start_word="),
    "short": ("short=", "-1short=", "+1short="),
    "sense": ("ss=", "-1ss=", "+1ss=", "ss3="),
}
"""Templates whose values are of one kind (a word in lower case, a short shape, a WordNet sense): a model's
scorer looks a word's value up once for all of them."""
PAIRS = ("-1w|w=", "w|+1w=")
"""The templates of two words in lower case (``-1w|w=new|york``): token ``i``'s pair with the token
before it and with the one after."""


_FIRST, _FIRST_THREE, _LAST_THREE, _LAST_FOUR = (
    operator.itemgetter(slice(None, 1)),
    operator.itemgetter(slice(None, 3)),
    operator.itemgetter(slice(-3, None)),
    operator.itemgetter(slice(-4, None)),
)


def _columns(rows: Iterable[Sequence[str | None]], width: int, n: int) -> list[list[str | None]]:
    """``n`` rows of ``width`` values as ``width`` columns."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    return columns if n else [[] for _ in range(width)]


def _padded(values: list[tuple[str, ...]], senses: Sequence[Senses | None]) -> list[list[str | None]]:
    """Columns of the words' several values of one kind (``values``, one tuple a word with senses, in
    order), as many as the most a word has, None where a word has fewer or no senses."""
    most = max(map(len, values), default=0)
    if not most:
        return []
    padding = (None,) * most
    found = iter(values)
    rows = [padding if senses_of is None else (next(found) + padding)[:most] for senses_of in senses]
    return _columns(rows, most, len(senses))


def word_columns(words: Sequence[str]) -> list[list[Column]]:
    """The features of ``words`` by part of :data:`WINDOW`, a column a template: each word on its own (in
    lower case, its shapes, prefixes and suffixes, its WordNet noun senses), then what it gives the tokens
    around it. One template at a time over every word: no string is built here."""
    lowers = list(map(str.lower, words))
    longs, shorts = _columns(map(_shapes, map(_kinds, words)), 2, len(words))
    senses = _senses_of(lowers)
    senses_found = [found for found in senses if found is not None]
    first: list[str | None] = [None if found is None else found[0] for found in senses]
    own: list[Column] = [
        ("bias", [""] * len(words)),
        ("w=", lowers),
        ("shape=", longs),
        ("short=", shorts),
        ("p3=", list(map(_FIRST_THREE, lowers))),
        ("s3=", list(map(_LAST_THREE, lowers))),
        ("s4=", list(map(_LAST_FOUR, lowers))),
        ("ss=", first),
    ]
    own += [("ss3=", column) for column in _padded([found.top for found in senses_found], senses)]
    # The classes above: the word's own only (its neighbours' too scored the same on the team folds, and
    # the starter's 0.03 less, for a third more training time).
    own += [("hyp=", column) for column in _padded([found.above for found in senses_found], senses)]
    return [
        own,
        [("-1w=", lowers), ("-1short=", shorts), ("-1ss=", first)],
        [("+1w=", lowers), ("+1short=", shorts), ("+1ss=", first)],
        [("-2w=", lowers)],
        [("+2w=", lowers)],
    ]


def padding_columns() -> list[list[Column]]:
    """:func:`word_columns` of the two words beyond a text's ends (:data:`PAD`): the one further out,
    with no features, and the edge."""
    far_and_edge: list[str | None] = [None, ""]
    return [[], [("-1edge", far_and_edge)], [("+1edge", far_and_edge)], [("-2edge", far_and_edge)],
            [("+2edge", far_and_edge)]]  # fmt: skip


WordStrings = tuple[tuple[str, ...], ...]
"""A word's feature strings by part of :data:`WINDOW`."""
WordCache = dict[str, WordStrings]
"""The feature strings of words seen before, for one :class:`Known` (training keeps one)."""


def word_strings(columns: list[list[Column]], j: int) -> WordStrings:
    """The feature strings of word ``j`` of ``columns``, by part."""
    return tuple(
        tuple(prefix + value for prefix, values in part if (value := values[j]) is not None)
        for part in columns
    )


def word_features(word: str) -> list[str]:
    """The features of a word on its own: itself in lower case, its shapes, prefixes and suffixes, and
    its WordNet noun senses."""
    return list(word_strings(word_columns([word]), 0)[0])


class Known:
    """The features a trained model holds weights for. The others change nothing in its predictions, so
    :func:`token_features` given one builds only these: fewer strings to build and to pass to crfsuite."""

    def __init__(
        self, attributes: Iterable[str], pairs: dict[str, dict[tuple[str, str], str]] | None = None
    ) -> None:
        self.attributes = frozenset(attributes)
        self.pairs: dict[str, dict[tuple[str, str], str]] = {head: {} for head in PAIRS}
        """``-1w|w=a|b`` as ``{"-1w|w=": {(a, b): "-1w|w=a|b"}}``: looked up by the two words, without
        building the string (given when the caller has them: they are found from the attributes)."""
        if pairs is not None:
            self.pairs.update(pairs)
        else:
            for attribute in self.attributes:
                head, equals, words = attribute.partition("=")
                found = self.pairs.get(head + equals)
                if found is not None:
                    found[split_pair(words)] = attribute
        self.left_pairs, self.right_pairs = (self.pairs[head] for head in PAIRS)


def split_pair(words: str) -> tuple[str, str]:
    """``a|b`` into its two lower-case words; a word holding ``|`` is the token ``|`` itself (one
    character of punctuation)."""
    if words.startswith("||"):
        return "|", words[2:]
    first, _, second = words.partition("|")
    return first, second


class Pairs(Sequence[tuple[str, str]]):
    """Each token's word in lower case with the next one's, made when asked: a scorer looks up only those
    whose words are in some pair it knows. ``distinct_lowers``: the text's distinct words in lower case;
    ``local``: each token's (:attr:`Layout.local`)."""

    def __init__(self, distinct_lowers: list[str], local: npt.NDArray[np.intp]) -> None:
        self.distinct_lowers, self.local = distinct_lowers, local

    def __len__(self) -> int:
        return max(len(self.local) - 1, 0)

    @overload
    def __getitem__(self, j: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, j: slice) -> list[tuple[str, str]]: ...

    def __getitem__(self, j: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(j, slice):
            return list(self)[j]
        if not 0 <= j < len(self):
            raise IndexError(j)
        return self.distinct_lowers[self.local[j]], self.distinct_lowers[self.local[j + 1]]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return itertools.pairwise(map(self.distinct_lowers.__getitem__, self.local.tolist()))

    def at(self, js: npt.NDArray[np.intp]) -> list[tuple[str, str]]:
        """The pairs of indices ``js``."""
        lowers = self.distinct_lowers
        firsts, seconds = self.local[js].tolist(), self.local[js + 1].tolist()
        return [(lowers[a], lowers[b]) for a, b in zip(firsts, seconds, strict=True)]


class Group(NamedTuple):
    """The features of one template at some of a text's tokens: ``prefix`` and each one's key (the
    feature is their concatenation; a pair of words ``(a, b)`` is ``a|b``). No keys: the feature is the
    prefix itself; prefix ``""``: each key is the feature."""

    prefix: str
    at: npt.NDArray[np.intp]
    """The token of each, in order."""
    keys: Sequence[str] | Sequence[tuple[str, str]] | None
    once: bool
    """At most one a token (else several, given in order)."""

    def strings(self) -> list[str]:
        if self.keys is None:
            return [self.prefix] * len(self.at)
        if self.prefix in PAIRS:
            return [f"{self.prefix}{a}|{b}" for a, b in cast(Sequence[tuple[str, str]], self.keys)]
        return [self.prefix + key for key in cast(Sequence[str], self.keys)]


class Layout(NamedTuple):
    """A text's features before they are strings a token: each token's word, as an index into the text's
    distinct words (whose features :func:`word_columns` gives, and :data:`WINDOW` places), and the
    features of a token that are not its window's words' (pairs of words, sentence and line starts, the
    document's other names, the hints), in groups of one template, in the order they are given to
    crfsuite after the window's. :func:`token_features` is :meth:`strings`; the scorer of a model sums
    the weights of each word's parts once per word, and those of a group at once
    (:mod:`annotator.tagger.scoring`)."""

    words: list[str]
    distinct: list[str]
    """The text's distinct words, in order of first occurrence."""
    local: npt.NDArray[np.intp]
    """Each token's word: its index in ``distinct``."""
    groups: list[Group]
    hinted: list[tuple[int, int] | None]
    """The tokens ``[first, last)`` of each hint (:func:`~annotator.text.token_range`)."""

    def strings(self, known: Known | None = None, seen: WordCache | None = None) -> list[list[str]]:
        """Every token's feature strings; with ``known``, only the words' and pairs' that it holds. The
        strings of a word are built once, and kept in ``seen`` (for the same ``known``)."""
        cache: WordCache = {} if seen is None else seen
        new = [word for word in self.distinct if word not in cache]
        columns = word_columns(new)
        for j, word in enumerate(new):
            built = word_strings(columns, j)
            if known is not None:
                held = known.attributes
                built = tuple(tuple(f for f in part if f in held) for part in built)
            cache[word] = built
        padding = padding_columns()
        far, edge = word_strings(padding, 0), word_strings(padding, 1)
        padded = [*[far] * (PAD - 1), edge, *map(cache.__getitem__, self.words), edge, *[far] * (PAD - 1)]
        out = [
            [feature for k, offset in enumerate(WINDOW) for feature in padded[i + PAD + offset][k]]
            for i in range(len(self.words))
        ]
        for group in self.groups:
            if known is not None and group.prefix in PAIRS:
                pairs = known.pairs[group.prefix]
                found = map(pairs.get, cast(Sequence[tuple[str, str]], group.keys))
                for i, feature in zip(group.at.tolist(), found, strict=True):
                    if feature is not None:
                        out[i].append(feature)
                continue
            for i, feature in zip(group.at.tolist(), group.strings(), strict=True):
                out[i].append(feature)
        return out


def token_features(
    text: str,
    tokens: Sequence[Token],
    hints: Iterable[Hint] = (),
    known: Known | None = None,
    seen: WordCache | None = None,
) -> list[list[str]]:
    """The feature strings of every token of ``text`` (crfsuite reads each as a binary feature); with
    ``known``, only those it holds (the same predictions, faster). The strings of a word are built once
    however often it occurs, and kept in ``seen`` (built with the same ``known``) for the next text."""
    return feature_layout(text, tokens, hints).strings(known, seen)


@functools.lru_cache(maxsize=256)
def _hint_names(source: str, label: str) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """A hint's features at its first token and at the others, each as the token's own, the previous
    token's and the next one's (``kb=B-PLACE``, ``+1kb=B-PLACE``, ``-1kb=B-PLACE``)."""
    first, inside = f"{source}=B-{label}", f"{source}=I-{label}"
    return (first, f"+1{first}", f"-1{first}"), (inside, f"+1{inside}", f"-1{inside}")


def hint_ranges(tokens: Sequence[Token], hints: Sequence[Hint]) -> list[tuple[int, int] | None]:
    """:func:`~annotator.text.token_range` of each hint, all at once."""
    n = len(tokens)
    if not hints or not n or hasattr(tokens, "index_at"):
        return [token_range(tokens, start, end) for start, end, _, _ in hints]
    flat = np.fromiter(itertools.chain.from_iterable(tokens), np.intp, 2 * n)
    starts, ends = flat[0::2], flat[1::2]
    spans = np.fromiter(itertools.chain.from_iterable(h[:2] for h in hints), np.intp, 2 * len(hints))
    start, end = spans[0::2], spans[1::2]

    def index_at(offset: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:  # spans.token_index_at
        i = np.searchsorted(starts, offset, side="right") - 1
        held = np.maximum(i, 0)
        return np.where((i >= 0) & (starts[held] <= offset) & (offset < ends[held]), i, i + 1)

    first = index_at(start)
    last = index_at(np.maximum(start, end - 1))
    last = np.where((last == n) | (starts[np.minimum(last, n - 1)] > end - 1), last - 1, last)
    valid = ((first < n) & (last >= first)).tolist()
    return [(a, b + 1) if ok else None for a, b, ok in zip(first.tolist(), last.tolist(), valid, strict=True)]


def _indices(values: Iterable[int]) -> npt.NDArray[np.intp]:
    return np.array(list(values), dtype=np.intp)


def feature_layout(text: str, tokens: Sequence[Token], hints: Iterable[Hint] = ()) -> Layout:
    """:func:`token_features` before the strings are put together: see :class:`Layout`."""
    n = len(tokens)
    words = [text[s:e] for s, e in tokens]
    distinct = list(dict.fromkeys(words))
    position = dict(zip(distinct, range(len(distinct)), strict=True))
    local = np.fromiter(map(position.__getitem__, words), np.intp, n)
    distinct_lowers = list(map(str.lower, distinct))
    # Token i - 1 and token i: token i's pair with the one before, token i - 1's with the one after.
    pairs = Pairs(distinct_lowers, local)
    groups = [
        Group(PAIRS[0], np.arange(1, n, dtype=np.intp), pairs, True),
        Group(PAIRS[1], np.arange(n - 1, dtype=np.intp), pairs, True),
    ]
    capital = np.fromiter(map(str.isupper, map(_FIRST, distinct)), bool, len(distinct))[local]
    breaks = line_breaks(text, tokens)
    starts = sentence_starts(text, words, tokens, breaks)
    named = [i for i in starts if capital[i]]
    groups.append(Group("sentence_start", _indices(starts), None, True))
    groups.append(
        Group("sentence_start_word=", _indices(named), [distinct_lowers[local[i]] for i in named], True)
    )
    # Capitalised words that follow or precede another capitalised word somewhere in the document, on
    # one line (Mohamed of Ahmed Mohamed): alone elsewhere, still part of a name.
    line_starts = _indices(breaks)
    joined = capital[1:] & capital[:-1]  # [i - 1]: tokens i - 1 and i
    joined[line_starts - 1] = False
    after = np.flatnonzero(joined) + 1
    tails, heads = np.zeros(len(distinct), dtype=bool), np.zeros(len(distinct), dtype=bool)
    tails[local[after]] = True
    heads[local[after - 1]] = True
    # Whether a word is also written in lower case in the document (a common word when capitalised).
    lower_words = set(itertools.compress(distinct, map(str.islower, distinct)))
    lower_elsewhere = np.fromiter(map(lower_words.__contains__, distinct_lowers), bool, len(distinct))
    for feature, holds in (
        ("lower_elsewhere", lower_elsewhere),
        ("name_tail_elsewhere", tails),
        ("name_head_elsewhere", heads),
    ):
        groups.append(Group(feature, np.flatnonzero(capital & holds[local]), None, True))
    groups.append(Group("line_start", line_starts, None, True))
    hints = list(hints)
    ranges = hint_ranges(tokens, hints)
    hinted: dict[int, list[tuple[str, str, str]]] = {}  # each hint's feature at a token, and next to it
    for (_, _, label, source), found_range in zip(hints, ranges, strict=True):
        if found_range is None:
            continue
        first, last = found_range
        at_first, inside = _hint_names(source, label)
        hinted.setdefault(first, []).append(at_first)
        for i in range(first + 1, last):
            hinted.setdefault(i, []).append(inside)
    hint_features: list[str] = []
    hint_at: list[int] = []
    for i, own_hints in sorted(hinted.items()):
        hint_features += [own for own, _, _ in own_hints]
        hint_at += [i] * len(own_hints)
        if i > 0:
            hint_features += [before for _, before, _ in own_hints]
            hint_at += [i - 1] * len(own_hints)
        if i + 1 < n:
            hint_features += [after for _, _, after in own_hints]
            hint_at += [i + 1] * len(own_hints)
    groups.append(Group("", _indices(hint_at), hint_features, False))
    return Layout(words, distinct, local, groups, ranges)
