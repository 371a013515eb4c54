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


def repeats(
    text: str,
    tokens: Sequence[Token],
    saved: Sequence[Span],
    rejected: Rejected,
    free: Callable[[int, int], bool],
) -> list[Candidate]:
    """Each just-saved span's text at its other places in ``text`` (same spelling, whole tokens, not
    rejected there, ``free`` of spans and proposals), as proposals.

    A text search, not a new pre-annotation of the whole article (which took 150 ms of the interpreter
    on a 20,000-word article, felt on the keys typed meanwhile).
    """
    from annotator.kb import Suggestion
    from annotator.suggest import Candidate

    found: list[Candidate] = []
    for span in saved:
        needle = text[span.start : span.end]
        if needle[:1].islower() or not any(ch.isalpha() for ch in needle):
            continue  # a name starts with a capital (or is in a script without case)
        at = text.find(needle)
        last_end = -1  # occurrences come in order: one found must not overlap the one before
        while at != -1:
            end = at + len(needle)
            if (
                at >= last_end
                and _whole_tokens(tokens, at, end)
                and (at, end, span.label) not in rejected
                and free(at, end)
            ):
                last_end = end
                taught = Suggestion(needle, needle, span.label, 100.0, span.kb_id, learned=1)
                found.append(Candidate(at, end, needle, taught))
            at = text.find(needle, at + 1)
    return found


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
