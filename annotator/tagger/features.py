"""What the CRF sees of each token: its shape, affixes, a window of context, and which other proposer
(gazetteer, learned strings) put it inside a proposal of which label.

Tokens are the project's own (:func:`annotator.text.tokenize`), so a predicted span is always a span the
annotation screen could make. Spans become BIO tags: where spans of one layer overlap only the longest
stands (as in CoNLL), since a tag sequence cannot hold nesting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from annotator.spans import span_precedence
from annotator.text import Token, sentences, token_range

OUTSIDE = "O"
WINDOW = 2
"""Tokens either side whose words are features of a token (the nearest one's shape too)."""


class Hint(NamedTuple):
    """A span another proposer found: ``source`` is ``kb`` (the gazetteer, other KB entries) or
    ``learned``."""

    start: int
    end: int
    label: str
    source: str


def shape(word: str) -> str:
    """``Xxxx`` for ``Paris``, ``dd`` for ``12``: runs of one kind of character cut to two."""
    out: list[str] = []
    for ch in word:
        kind = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if len(out) < 2 or out[-1] != kind or out[-2] != kind:
            out.append(kind)
    return "".join(out)


def short_shape(word: str) -> str:
    """``Xx`` for ``Paris``, ``X.X.`` for ``U.S.``: runs collapsed to one character."""
    out: list[str] = []
    for ch in word:
        kind = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


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


def word_features(word: str) -> list[str]:
    """The features of a word on its own: itself in lower case, its shapes, prefixes and suffixes."""
    lower = word.lower()
    return [
        "bias",
        f"w={lower}",
        f"shape={shape(word)}",
        f"short={short_shape(word)}",
        f"p3={lower[:3]}",
        f"s3={lower[-3:]}",
        f"s4={lower[-4:]}",
    ]


def token_features(text: str, tokens: Sequence[Token], hints: Iterable[Hint] = ()) -> list[list[str]]:
    """The feature strings of every token of ``text`` (crfsuite reads each as a binary feature)."""
    words = [text[s:e] for s, e in tokens]
    lowers = [w.lower() for w in words]
    n = len(tokens)
    cache: dict[str, list[str]] = {}
    own: list[list[str]] = []
    shapes: list[str] = []
    for word in words:
        found = cache.get(word)
        if found is None:
            found = cache[word] = word_features(word)
        own.append(found)
        shapes.append(found[3][6:])  # short=...
    first_of_sentence = {first for first, _ in sentences(text, tokens)}
    hinted: list[list[str]] = [[] for _ in range(n)]
    for start, end, label, source in hints:
        found_range = token_range(tokens, start, end)
        if found_range is None:
            continue
        first, last = found_range
        hinted[first].append(f"{source}=B-{label}")
        for i in range(first + 1, last):
            hinted[i].append(f"{source}=I-{label}")
    # Whether a word is also written in lower case in the document (a common word when capitalised).
    lower_elsewhere = {w for w in words if w.islower()}

    out: list[list[str]] = []
    for i, word in enumerate(words):
        lower = lowers[i]
        f = own[i].copy()
        if i in first_of_sentence:
            f.append("sentence_start")
            if word[:1].isupper():
                f.append(f"sentence_start_word={lower}")
        if word[:1].isupper() and lower in lower_elsewhere:
            f.append("lower_elsewhere")
        if i > 0 and "\n" in text[tokens[i - 1][1] : tokens[i][0]]:
            f.append("line_start")
        f.extend(hinted[i])
        if i > 0:
            f.append(f"-1w={lowers[i - 1]}")
            f.append(f"-1short={shapes[i - 1]}")
            f.append(f"-1w|w={lowers[i - 1]}|{lower}")
            f.extend(f"-1{h}" for h in hinted[i - 1])
            f.append(f"-2w={lowers[i - 2]}" if i > 1 else "-2edge")
        else:
            f.append("-1edge")
        if i + 1 < n:
            f.append(f"+1w={lowers[i + 1]}")
            f.append(f"+1short={shapes[i + 1]}")
            f.append(f"w|+1w={lower}|{lowers[i + 1]}")
            f.extend(f"+1{h}" for h in hinted[i + 1])
            f.append(f"+2w={lowers[i + 2]}" if i + 2 < n else "+2edge")
        else:
            f.append("+1edge")
        out.append(f)
    return out
