"""The small rules every layer applies to spans: when two overlap, which of overlapping spans wins, and
which of nested spans the annotation screen shows and removes.

Plain functions on offsets (``[start, end)``, code points of the stored text), so they serve spans,
``(start, end, label)`` keys, tokens and token indices alike; they import only ``model``'s types, so any
module may use them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from annotator.model import Span, SpanKey


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether ``[start, end)`` and ``[other_start, other_end)`` share at least one position; touching
    ranges (one ends where the other starts) do not."""
    return start < other_end and other_start < end


def longest_first(start: int, end: int) -> int:
    """The sort key of "the longest span wins" (ascending: the longest first), where spans of one layer
    overlap and only one may stand (a token's category in agreement, an entity in CoNLL, a proposal)."""
    return start - end


def token_index_at(tokens: Sequence[tuple[int, int]], offset: int) -> int:
    """Index of the token containing ``offset``, or of the first token after it (len(tokens) at the end).

    ``tokens`` sorted ``(start, end)`` offsets; tokens that find this themselves (``index_at``: a long
    text's, ``text.BlockTokens``) are asked."""
    index_at = getattr(tokens, "index_at", None)
    if index_at is not None:
        found: int = index_at(offset)
        return found
    i = bisect.bisect_right(tokens, (offset, float("inf"))) - 1
    if i >= 0 and tokens[i][0] <= offset < tokens[i][1]:
        return i
    return i + 1


def moved_edge(span: Span, tokens: Sequence[tuple[int, int]], side: int, delta: int) -> Span | None:
    """``span`` with its start (``side`` -1) or end (``side`` 1) moved by ``delta`` tokens (a negative
    ``delta`` to the left); None where that would leave the text or no token inside the span. The edges
    stay on token boundaries (``tokens`` sorted ``(start, end)`` offsets)."""
    # found by bisection (a long article's tokens are not all held: never a list of every start)
    if side < 0:
        i = token_index_at(tokens, span.start)
        if i < len(tokens) and tokens[i][0] < span.start:
            i += 1
        i += delta  # the first token starting at or after the span's start, moved
        if not 0 <= i < len(tokens) or tokens[i][0] >= span.end:
            return None
        return Span(tokens[i][0], span.end, span.label, span.kb_id, span.source)
    i = token_index_at(tokens, span.end - 1) + delta  # the first token ending at or after its end, moved
    if not 0 <= i < len(tokens) or tokens[i][1] <= span.start:
        return None
    return Span(span.start, tokens[i][1], span.label, span.kb_id, span.source)


def innermost(covering: Iterable[Span]) -> Span:
    """Of spans covering one place, the one the annotator sees and acts on there: the shortest (the first
    of equally short ones); ``covering`` must not be empty."""
    return min(covering, key=lambda s: s.end - s.start)


def span_precedence(span: SpanKey) -> tuple[int, int, str]:
    """Which of overlapping ``(start, end, label)`` spans wins, as a sort key (the winner sorts first):
    the longest, then the earliest start, then the label first in alphabetical order."""
    start, end, label = span
    return (longest_first(start, end), start, label)


def spans_per_line(ordered: Sequence[Span], lines: Sequence[tuple[int, int]]) -> list[list[Span]]:
    """For each of ``lines`` (ascending ``(start, end)``), the spans of ``ordered`` (sorted by start)
    that overlap it, in that order: one sweep, not every span for every line (a new window's proposals
    re-wrap thousands of lines at once)."""
    found: list[list[Span]] = []
    active: list[Span] = []
    taken = 0
    for start, end in lines:
        end = max(end, start + 1)
        while taken < len(ordered) and ordered[taken].start < end:
            active.append(ordered[taken])
            taken += 1
        active = [s for s in active if s.end > start]
        found.append([s for s in active if overlaps(s.start, s.end, start, end)])
    return found
