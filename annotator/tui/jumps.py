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


SENTENCE_ENDS = frozenset('.!?:;\n"“”')
"""What may come before a sentence's first word (quotes and brackets passed over): where a capital
says nothing of a name."""
LOOK_BACK = 8


def _starts_name(text: str, token: Token) -> bool:
    """A capitalised word, not a small one at a sentence's start (``The``, ``He``) nor a day or month;
    an acronym spelt as one (``US``, ``IT``) is a name."""
    start, end = token
    word = text[start:end]
    lower = word.lower()
    if not word[:1].isupper() or lower in CALENDAR:
        return False
    return lower not in PHRASE_STOPS or (len(word) > 1 and word.isupper())


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether the word at ``start`` is a sentence's (or a line's) first: a full stop, question or
    exclamation mark, colon or line break before it, or nothing."""
    i = start - 1
    while i >= 0 and start - i <= LOOK_BACK and text[i] in " \t'‘’([":
        i -= 1
    return i < 0 or text[i] in SENTENCE_ENDS


def _said_inside_a_sentence(text: str, word: str, skip: int) -> bool:
    """Whether ``word`` is written so, capitalised, somewhere in ``text`` not at a sentence's start (a
    name: ``Armenia`` at a sentence's start and after ``in``), as a whole word; the first 64 places."""
    at = -1
    for _ in range(64):
        at = text.find(word, at + 1)
        if at < 0:
            return False
        after = at + len(word)
        whole = (at == 0 or not text[at - 1].isalnum()) and (after == len(text) or not text[after].isalnum())
        if at != skip and whole and not _at_sentence_start(text, at):
            return True
    return False


def _a_name(text: str, tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the capitalised words ``first`` to ``last`` (``V``'s extent) are a name: at a sentence's
    start one word alone is only where the document writes it so inside a sentence too (``According``,
    ``However``, ``Image`` are not; ``Armenia says`` is); an acronym, or two words and more, always."""
    start, end = tokens[first][0], tokens[last][1]
    if last > first or not _at_sentence_start(text, start):
        return True
    word = text[start:end]
    return (len(word) > 1 and word.isupper()) or _said_inside_a_sentence(text, word, start)


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
        if not _a_name(text, tokens, a, b):
            continue
        start, end = tokens[a][0], tokens[b][1]
        before = bisect.bisect_left(starts, end)  # the spans starting before the name ends
        if before and reach[before - 1] > start:
            continue
        return a, b
    return None
