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
import re
import string
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import NamedTuple

from annotator.spans import span_precedence
from annotator.text import Token, sentences, token_range

OUTSIDE = "O"
_NEWLINE = re.compile("\n")
WINDOW = 2
"""Tokens either side whose words are features of a token (the nearest one's shape too)."""


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
    start, label = -1, ""
    for i, tag in enumerate([*tags, OUTSIDE]):
        inside = tag.startswith("I-") and tag[2:] == label and start >= 0
        if inside:
            continue
        if start >= 0:
            found.append((start, i, label))
            start, label = -1, ""
        if tag != OUTSIDE:
            start, label = i, tag[2:]
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
        self.left_pairs: dict[str, set[str]] = {}
        """``-1w|w=a|b`` as ``{a: {b}}``: looked up without building the string."""
        self.right_pairs: dict[str, set[str]] = {}
        for attribute in self.attributes:
            for head, pairs in (("-1w|w=", self.left_pairs), ("w|+1w=", self.right_pairs)):
                if attribute.startswith(head):
                    first, second = _split_pair(attribute[len(head) :])
                    pairs.setdefault(first, set()).add(second)


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
    n = len(tokens)
    words = [text[s:e] for s, e in tokens]
    cache: WordCache = {} if seen is None else seen
    info: list[_Word] = []
    for word in words:
        found = cache.get(word)
        if found is None:
            found = cache[word] = _word(word, known)
        info.append(found)
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

    # The edges: the first token's previous one is -1edge and it has no -2 (nor the last a +2).
    far = _Word((), "", False, (), (), (), ())
    edge = _Word((), "", False, ("-1edge",), ("+1edge",), ("-2edge",), ("+2edge",))
    padded = [far, edge, *info, edge, far]
    out = [
        [*here.own, *previous.before, *following.after, *two_before.two_before, *two_after.two_after]
        for two_before, previous, here, following, two_after in zip(
            padded, padded[1:], padded[2:], padded[3:], padded[4:], strict=False
        )
    ]
    left_pairs = known.left_pairs if known is not None else None
    right_pairs = known.right_pairs if known is not None else None
    for i in range(1, n):
        left, right = info[i - 1].lower, info[i].lower
        if left_pairs is None or right in left_pairs.get(left, ()):
            out[i].append(f"-1w|w={left}|{right}")
        if right_pairs is None or right in right_pairs.get(left, ()):
            out[i - 1].append(f"w|+1w={left}|{right}")
    for i in sorted(first_of_sentence):
        out[i].append("sentence_start")
        if info[i].capitalised:
            out[i].append(f"sentence_start_word={info[i].lower}")
    # Capitalised words that follow or precede another capitalised word somewhere in the document, on
    # one line (Mohamed of Ahmed Mohamed): alone elsewhere, still part of a name.
    tails: set[str] = set()
    heads: set[str] = set()
    for i in range(1, n):
        if info[i].capitalised and info[i - 1].capitalised and i not in line_starts:
            tails.add(words[i])
            heads.add(words[i - 1])
    for i, word_info in enumerate(info):
        if word_info.capitalised:
            if word_info.lower in lower_elsewhere:
                out[i].append("lower_elsewhere")
            if words[i] in tails:
                out[i].append("name_tail_elsewhere")
            if words[i] in heads:
                out[i].append("name_head_elsewhere")
    for i in sorted(line_starts):
        out[i].append("line_start")
    for i, own_hints in sorted(hinted.items()):
        out[i] += own_hints
        if i > 0:
            out[i - 1] += [f"+1{h}" for h in own_hints]
        if i + 1 < n:
            out[i + 1] += [f"-1{h}" for h in own_hints]
    return out


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
