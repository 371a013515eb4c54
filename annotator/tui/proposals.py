"""A span the user just saved, proposed at its other places in the article: plain functions, no Textual.

The document's proposals themselves come from ``annotator.suggest.propose`` (in a look-up thread), and
``annotator.suggest.open_proposals`` says which of them are still open.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from annotator.model import Span
from annotator.text import Token, token_index_at

if TYPE_CHECKING:
    from annotator.suggest import Candidate

S = TypeVar("S", "Span", "Candidate")

Rejected = set[tuple[int, int, str]]
"""``(start, end, label)`` of the proposals the user rejected in this document."""


REPEATS_AT_ONCE = 200
"""Places a just-saved span is proposed at, at most, at once (a name said 1,000 times in a long text):
the proposals computed again after the edit bring the others."""


def covering(spans: Sequence[Span]) -> Callable[[int, int], bool]:
    """Whether ``[start, end)`` overlaps one of ``spans``, for asking many times: the spans' union as
    sorted ranges, looked up by bisection (5,000 proposals checked in milliseconds, not through the
    article's lines one by one)."""
    starts: list[int] = []
    ends: list[int] = []
    for span in sorted(spans, key=_start):
        if ends and span.start <= ends[-1]:
            ends[-1] = max(ends[-1], span.end)
        else:
            starts.append(span.start)
            ends.append(span.end)

    def covered(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end) - 1  # the last range starting before the end
        return i >= 0 and ends[i] > start

    return covered


def repeats(
    text: str,
    tokens: Sequence[Token],
    saved: Sequence[Span],
    rejected: Rejected,
    free: Callable[[int, int], bool],
    within: tuple[int, int] | None = None,
) -> list[Candidate]:
    """Each just-saved span's text at its other places in ``text`` (same spelling, whole tokens, not
    rejected there, ``free`` of spans and proposals), as proposals; only ``within`` those offsets when
    given (the part of a long text that has proposals), the first :data:`REPEATS_AT_ONCE` of them (of
    at most four times as many places looked at).

    A text search, not a new pre-annotation of the whole article (which took 150 ms of the interpreter
    on a 20,000-word article, felt on the keys typed meanwhile).
    """
    from annotator.kb import Suggestion
    from annotator.suggest import Candidate

    found: list[Candidate] = []
    taken = _Ranges()
    """The places found so far: a place is proposed once, and never over another (several saved spans
    of one text, ``Y`` on four ``Nagorno``, or ``Nagorno`` and ``Nagorno-Karabakh``, find the same
    places; the article is told of them only once all are found)."""
    lo, hi = within if within is not None else (0, len(text))
    needles: set[str] = set()
    for span in saved:
        needle = text[span.start : span.end]
        if needle[:1].islower() or not any(ch.isalpha() for ch in needle):
            continue  # a name starts with a capital (or is in a script without case)
        if needle in needles:
            continue  # its places are found already (with the first such span's label)
        needles.add(needle)
        at = text.find(needle, lo, hi)
        looked = 0
        while at != -1 and len(found) < REPEATS_AT_ONCE and looked < 4 * REPEATS_AT_ONCE:
            looked += 1
            end = at + len(needle)
            if (
                taken.free(at, end)
                and (at, end, span.label) not in rejected
                and free(at, end)
                and _whole_tokens(tokens, at, end)  # last: a long text's tokens are made as looked at
            ):
                taken.add(at, end)
                taught = Suggestion(needle, needle, span.label, 100.0, span.kb_id, learned=1)
                found.append(Candidate(at, end, needle, taught))
            at = text.find(needle, at + 1, hi)
    return sorted(found, key=_start)


class _Ranges:
    """Ranges that do not overlap one another, sorted, asked whether a range overlaps none of them."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end) - 1  # the last range starting before the end
        return i < 0 or self._ends[i] <= start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


LONGEST = 256
"""Characters a proposal (at most six word tokens) is assumed to span, at most, when looking for the
ones near an edit; a longer one is shown or hidden with the next whole proposal of the document."""


def overlapping(items: Sequence[S], ranges: Sequence[tuple[int, int]]) -> list[S]:
    """The ``items`` (sorted by start) overlapping one of ``ranges``, in order: found by bisection near
    each range, so an edit on a long article does not look at all its proposals."""
    found: set[int] = set()
    for start, end in ranges:
        first = bisect.bisect_left(items, start - LONGEST, key=_start)
        last = bisect.bisect_left(items, end, key=_start, lo=first)
        found.update(k for k in range(first, last) if items[k].end > start)
    return [items[k] for k in sorted(found)]


def _start(item: Span | Candidate) -> int:
    return item.start


def _whole_tokens(tokens: Sequence[Token], start: int, end: int) -> bool:
    first, last = token_index_at(tokens, start), token_index_at(tokens, end - 1)
    if first >= len(tokens) or last >= len(tokens):
        return False
    return tokens[first][0] == start and tokens[last][1] == end
