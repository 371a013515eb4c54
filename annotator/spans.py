"""The small rules every layer applies to spans: when two overlap, and which of overlapping spans wins.

Plain functions on offsets (``[start, end)``, code points of the stored text), so they serve spans,
``(start, end, label)`` keys, tokens and token indices alike; they import only ``model``'s types, so any
module may use them.
"""

from __future__ import annotations

from annotator.model import SpanKey


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether ``[start, end)`` and ``[other_start, other_end)`` share at least one position.

    Touching ranges (one ends where the other starts) do not overlap; an empty range overlaps nothing.
    """
    return start < other_end and other_start < end


def longest_first(start: int, end: int) -> int:
    """The sort key of "the longest span wins" (ascending: the longest first), where spans of one layer
    overlap and only one may stand (a token's category in agreement, an entity in CoNLL)."""
    return start - end


def span_precedence(span: SpanKey) -> tuple[int, int, str]:
    """Which of overlapping ``(start, end, label)`` spans wins, as a sort key (the winner sorts first):
    the longest, then the earliest start, then the label first in alphabetical order."""
    start, end, label = span
    return (longest_first(start, end), start, label)
