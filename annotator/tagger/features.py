"""What the CRF sees of each token: its shape, affixes, its WordNet noun senses (``exhibit``, ``war``
and ``election`` are acts and events the team may never have tagged), a window of context, whether a
capitalised word is part of a longer name elsewhere in the document (``Mohamed`` of ``Ahmed Mohamed``),
and which other proposer (gazetteer, learned strings) put it inside a proposal of which label.

Tokens are the project's own (:func:`annotator.text.tokenize`), so a predicted span is always a span the
annotation screen could make. Spans become BIO tags: where spans of one layer overlap only the longest
stands (as in CoNLL), since a tag sequence cannot hold nesting.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import itertools
import re
import string
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import NamedTuple, cast

from annotator.spans import span_precedence
from annotator.text import Token, sentences, token_range

OUTSIDE = "O"
_NEWLINE = re.compile("\n")


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
    found: list[tuple[int, int, str]] = []
    start, last, label = -1, -1, ""
    # Only the tokens in some span are looked at: most are outside one.
    for i in [i for i, tag in enumerate(tags) if tag != OUTSIDE]:
        tag = tags[i]
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


@functools.cache
def supersenses() -> dict[str, tuple[str, tuple[str, ...]]]:
    """WordNet's noun lemmas (``data/supersenses.tsv.gz``, built by ``bench/lexicon.py``): the
    lexicographer file of each one's most frequent sense (``act``, ``event``, ``person``, ``location``...)
    and those of its first three senses. What says ``exhibit`` or ``ceasefire`` may be an event when
    the team's documents never held it."""
    raw = resources.files("annotator.tagger").joinpath("data", SUPERSENSES_FILE).read_bytes()
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in gzip.decompress(raw).decode().splitlines():
        lemma, first, top = line.split("\t")
        out[lemma] = (first, tuple(top.split(",")))
    return out


def _senses(lower: str) -> tuple[str, tuple[str, ...]] | None:
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


def noun_senses(word: str) -> tuple[str, tuple[str, ...]] | None:
    """The WordNet noun senses of ``word`` (any case; a plural read as its singular): the first sense's
    lexicographer file and those of the first three, or None when WordNet has no such noun."""
    return _senses(word.lower())


def word_features(word: str) -> list[str]:
    """The features of a word on its own: itself in lower case, its shapes, prefixes and suffixes, and
    its WordNet noun senses."""
    lower = word.lower()
    long_shape, short = _shapes(_kinds(word))
    out = [
        "bias",
        f"w={lower}",
        f"shape={long_shape}",
        f"short={short}",
        f"p3={lower[:3]}",
        f"s3={lower[-3:]}",
        f"s4={lower[-4:]}",
    ]
    senses = _senses(lower)
    if senses is not None:
        out.append(f"ss={senses[0]}")
        out += [f"ss3={sense}" for sense in senses[1]]
    return out


class Known:
    """The features a trained model holds weights for. The others change nothing in its predictions, so
    :func:`token_features` given one builds only these: fewer strings to build and to pass to crfsuite."""

    def __init__(self, attributes: Iterable[str]) -> None:
        self.attributes = frozenset(attributes)
        self.left_pairs: dict[tuple[str, str], str] = {}
        """``-1w|w=a|b`` as ``{(a, b): "-1w|w=a|b"}``: looked up by the two words, without building the
        string."""
        self.right_pairs: dict[tuple[str, str], str] = {}
        for attribute in self.attributes:
            for head, pairs in (("-1w|w=", self.left_pairs), ("w|+1w=", self.right_pairs)):
                if attribute.startswith(head):
                    pairs[_split_pair(attribute[len(head) :])] = attribute


def _split_pair(words: str) -> tuple[str, str]:
    """``a|b`` into its two lower-case words; a word holding ``|`` is the token ``|`` itself (one
    character of punctuation)."""
    if words.startswith("||"):
        return "|", words[2:]
    first, _, second = words.partition("|")
    return first, second


class _Word(NamedTuple):
    """A distinct word's feature strings, built once: its own, and the ones it gives the tokens next to
    it (with a :class:`Known`, only those it holds). Tuples of strings only, so that the garbage
    collector stops tracking them: a tagger keeps thousands."""

    own: tuple[str, ...]
    lower: str
    capitalised: bool
    before: tuple[str, ...]
    """``-1w=``, ``-1short=``, ``-1ss=``: what the next token sees of it."""
    after: tuple[str, ...]
    """``+1w=``, ``+1short=``, ``+1ss=``: what the previous token sees of it."""
    two_before: tuple[str, ...]
    two_after: tuple[str, ...]


def _word(word: str, known: Known | None) -> _Word:
    own = word_features(word)
    lower = own[1][2:]
    short = own[3][6:]
    before, after = [f"-1w={lower}", f"-1short={short}"], [f"+1w={lower}", f"+1short={short}"]
    senses = _senses(lower)
    if senses is not None:
        before.append(f"-1ss={senses[0]}")
        after.append(f"+1ss={senses[0]}")
    two_before, two_after = [f"-2w={lower}"], [f"+2w={lower}"]
    if known is not None:
        held = known.attributes
        own, before, after, two_before, two_after = (
            [f for f in part if f in held] for part in (own, before, after, two_before, two_after)
        )
    return _Word(
        tuple(own), lower, word[:1].isupper(), tuple(before), tuple(after), tuple(two_before),
        tuple(two_after),
    )  # fmt: skip


WordCache = dict[str, "_Word"]
"""The feature strings of words seen before, for one :class:`Known` (a tagger keeps one)."""

WINDOW: tuple[tuple[int, int], ...] = tuple(
    (offset, _Word._fields.index(part))
    for offset, part in ((0, "own"), (-1, "before"), (1, "after"), (-2, "two_before"), (2, "two_after"))
)
"""What a token gets from the words around it: ``(offset of the word, index of its part in _Word)``, in
the order the strings are given to crfsuite: its own word's ``own``, the previous word's ``before``
(``-1w=``...), and so on."""
PAD = max(abs(offset) for offset, _ in WINDOW)
"""Words either side of a text in :meth:`Layout.padded`: as far as WINDOW looks."""
EDGE = _Word((), "", False, ("-1edge",), ("+1edge",), ("-2edge",), ("+2edge",))
"""The word before the first token or after the last: the first token's previous word is ``-1edge``."""
FAR = _Word((), "", False, (), (), (), ())
"""A word further out: nothing (the first token has no word two before it)."""


def word_part(word: _Word, part: int) -> tuple[str, ...]:
    """The part of index ``part`` of a word's features (a part of :data:`WINDOW`)."""
    return cast(tuple[str, ...], word[part])


class Layout(NamedTuple):
    """A text's features, before they are strings a token: each token's word and its :class:`_Word`
    (its features and those it gives its neighbours, by :data:`WINDOW`), and the features of a token
    that are not its window's words' (pairs of words, sentence and line starts, the document's other
    names, the hints), each with its token, in the order they are given to crfsuite after the
    window's. :func:`token_features` is :meth:`strings`; the scorer of a model sums the weights of each
    word's parts once per word (:mod:`annotator.tagger.scoring`)."""

    words: list[str]
    info: list[_Word]
    extra: list[str]
    extra_at: list[int]
    """The token of each of ``extra``."""

    def padded(self) -> list[_Word]:
        """``info`` with :data:`PAD` words either side (:data:`EDGE` next to the text, :data:`FAR`
        further): token ``i``'s word at offset ``o`` is ``padded()[i + PAD + o]``."""
        far = [FAR] * (PAD - 1)
        return [*far, EDGE, *self.info, EDGE, *far]

    def strings(self) -> list[list[str]]:
        padded = self.padded()
        out = [
            [feature for offset, part in WINDOW for feature in word_part(padded[i + PAD + offset], part)]
            for i in range(len(self.info))
        ]
        for i, feature in zip(self.extra_at, self.extra, strict=True):
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
    return feature_layout(text, tokens, hints, known, seen).strings()


def feature_layout(
    text: str,
    tokens: Sequence[Token],
    hints: Iterable[Hint] = (),
    known: Known | None = None,
    seen: WordCache | None = None,
) -> Layout:
    """:func:`token_features` before the strings are put together: see :class:`Layout`."""
    n = len(tokens)
    words = [text[s:e] for s, e in tokens]
    cache: WordCache = {} if seen is None else seen
    info: list[_Word] = list(map(cache.get, words))  # type: ignore[arg-type]
    for i, found in enumerate(info):
        if found is None:
            word = words[i]
            found = cache.get(word)
            info[i] = found if found is not None else cache.setdefault(word, _word(word, known))
    document_words = set(words)
    first_of_sentence = {first for first, _ in sentences(text, tokens)}
    hinted: dict[int, list[str]] = {}
    for start, end, label, source in hints:
        found_range = token_range(tokens, start, end)
        if found_range is None:
            continue
        first, last = found_range
        hinted.setdefault(first, []).append(f"{source}=B-{label}")
        for i in range(first + 1, last):
            hinted.setdefault(i, []).append(f"{source}=I-{label}")
    # Whether a word is also written in lower case in the document (a common word when capitalised).
    lower_elsewhere = {w for w in document_words if w.islower()}
    line_starts = _line_starts(text, tokens)

    # The features that are not the window's words': each with its token (no list a token).
    extra: list[str] = []
    at: list[int] = []
    lowers = [word_info.lower for word_info in info]
    pairs = list(itertools.pairwise(lowers))  # token i - 1 and token i, from i = 1
    if known is None:
        left = [f"-1w|w={a}|{b}" for a, b in pairs]
        right = [f"w|+1w={a}|{b}" for a, b in pairs]
    else:
        left = list(map(known.left_pairs.get, pairs))  # type: ignore[arg-type]
        right = list(map(known.right_pairs.get, pairs))  # type: ignore[arg-type]
    # Token i's features in crfsuite's order: its pair with the one before, then with the one after.
    for i in range(n):
        if i and (feature := left[i - 1]) is not None:
            extra.append(feature)
            at.append(i)
        if i + 1 < n and (feature := right[i]) is not None:
            extra.append(feature)
            at.append(i)
    capital = [word_info.capitalised for word_info in info]
    for i in sorted(first_of_sentence):
        extra.append("sentence_start")
        at.append(i)
        if capital[i]:
            extra.append(f"sentence_start_word={lowers[i]}")
            at.append(i)
    # Capitalised words that follow or precede another capitalised word somewhere in the document, on
    # one line (Mohamed of Ahmed Mohamed): alone elsewhere, still part of a name.
    tails: set[str] = set()
    heads: set[str] = set()
    for i in range(1, n):
        if capital[i] and capital[i - 1] and i not in line_starts:
            tails.add(words[i])
            heads.add(words[i - 1])
    for i in [i for i, is_capital in enumerate(capital) if is_capital]:
        for feature, holds in (
            ("lower_elsewhere", lowers[i] in lower_elsewhere),
            ("name_tail_elsewhere", words[i] in tails),
            ("name_head_elsewhere", words[i] in heads),
        ):
            if holds:
                extra.append(feature)
                at.append(i)
    for i in sorted(line_starts):
        extra.append("line_start")
        at.append(i)
    for i, own_hints in sorted(hinted.items()):
        extra += own_hints
        at += [i] * len(own_hints)
        if i > 0:
            extra += [f"+1{h}" for h in own_hints]
            at += [i - 1] * len(own_hints)
        if i + 1 < n:
            extra += [f"-1{h}" for h in own_hints]
            at += [i + 1] * len(own_hints)
    return Layout(words, info, extra, at)


def _line_starts(text: str, tokens: Sequence[Token]) -> set[int]:
    """Indices of the tokens (not the first) with a line break between them and the token before."""
    breaks = [m.start() for m in _NEWLINE.finditer(text)]
    out: set[int] = set()
    starts = [s for s, _ in tokens]
    for at in breaks:
        i = bisect.bisect_right(starts, at)
        if 0 < i < len(tokens) and tokens[i - 1][1] <= at:
            out.add(i)
    return out
