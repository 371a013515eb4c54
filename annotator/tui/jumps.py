"""The next name to tag: from the selection, the next (or previous) name of the article that no span
holds, selected whole (``annotator.text.phrase_at``: ``Medical Journal of Australia``). Most spans of
news are names, and an annotator goes through a document in order: one key reaches and selects the
next one the proposals left out, and a label key tags it."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from annotator.model import Span
from annotator.text import PHRASE_STOPS, Token, phrase_at

CALENDAR = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "june", "july", "august", "september", "october", "november", "december",
})  # fmt: skip
"""Capitalised, but a date, never an actor, place or event: not where ``j`` stops (``May`` is left out:
also a verb or a name)."""


def _starts_name(text: str, token: Token) -> bool:
    """A capitalised word, not a small one at a sentence's start (``The``, ``He``) nor a day or month;
    an acronym spelt as one (``US``, ``IT``) is a name."""
    start, end = token
    word = text[start:end]
    lower = word.lower()
    if not word[:1].isupper() or lower in CALENDAR:
        return False
    return lower not in PHRASE_STOPS or (len(word) > 1 and word.isupper())


def name_from(
    text: str, tokens: Sequence[Token], spans: Sequence[Span], first: int, last: int, step: int
) -> tuple[int, int] | None:
    """The first and last token of the name after token ``last`` (``step`` 1) or before token ``first``
    (-1) that overlaps none of ``spans``; None when there is none."""
    held = sorted((s.start, s.end) for s in spans)
    starts = [s for s, _ in held]
    reach = list(itertools.accumulate((e for _, e in held), max))  # the furthest end of the spans so far
    order = range(last + 1, len(tokens)) if step > 0 else range(first - 1, -1, -1)
    for i in order:
        if not _starts_name(text, tokens[i]):
            continue
        a, b = phrase_at(text, tokens, i)
        if (step > 0 and a <= last) or (step < 0 and b >= first):
            continue  # part of the selection's own name
        start, end = tokens[a][0], tokens[b][1]
        before = bisect.bisect_left(starts, end)  # the spans starting before the name ends
        if before and reach[before - 1] > start:
            continue
        return a, b
    return None
