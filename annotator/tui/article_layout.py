"""Where each character of an article sits on screen: wrapped lines, spans per line, label tags.

Pure geometry with no Textual in it, so it is tested on its own. Offsets are code points of the stored
text; columns are terminal cells. A label tag (`` PLACE``) is drawn right after the last character of
each span, so it takes cells in the line: wrapping counts them, and a change of spans re-wraps only the
paragraphs it touches.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len

from annotator.model import Span
from annotator.spans import overlaps
from annotator.text import Token, token_index_at

Line = tuple[int, int]


def span_order(span: Span) -> tuple[int, int, str]:
    """Sort key: by start, the longer span first, then label."""
    return span.start, -span.end, span.label


def _key(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.label


class _Extras:
    """Cells inserted after given offsets (label tags), summed over ranges of offsets."""

    def __init__(self) -> None:
        self.width: dict[int, int] = {}
        self.positions: list[int] = []

    def add(self, position: int, cells: int) -> None:
        if position not in self.width:
            bisect.insort(self.positions, position)
            self.width[position] = 0
        self.width[position] += cells
        if self.width[position] == 0:
            del self.width[position]
            self.positions.pop(bisect.bisect_left(self.positions, position))

    def between(self, start: int, end: int) -> int:
        """Cells inserted at positions ``p`` with ``start < p <= end``."""
        if not self.positions:
            return 0
        first = bisect.bisect_right(self.positions, start)
        last = bisect.bisect_right(self.positions, end)
        return sum(self.width[self.positions[i]] for i in range(first, last))


def wrap(text: str, width: int, extras: _Extras | None = None) -> list[Line]:
    """Lines of ``text`` at ``width`` cells as ``(start, end)`` offsets; breaks at spaces, else anywhere."""
    lines: list[Line] = []
    position = 0
    for paragraph in text.split("\n"):
        end = position + len(paragraph)
        lines.extend(wrap_paragraph(text, position, end, width, extras))
        position = end + 1
    return lines


def wrap_paragraph(text: str, start: int, end: int, width: int, extras: _Extras | None = None) -> list[Line]:
    """The lines of the paragraph ``text[start:end]`` (no newline inside)."""
    width = max(width, 1)
    extra = extras.between if extras is not None and extras.positions else None
    if start == end:
        return [(start, end)]
    lines: list[Line] = []
    line_start = start
    used = 0
    i = start
    while i < end:
        j = text.find(" ", i, end)
        word_end = end if j == -1 else j
        k = word_end
        while k < end and text[k] == " ":
            k += 1
        w = cell_len(text[i:word_end]) + (extra(i, word_end) if extra else 0)
        if used and used + w > width:
            lines.append((line_start, i))
            line_start, used = i, 0
        while w > width:  # a word longer than the line: cut it where the cells run out
            cut = _cut(text, i, word_end, width, extras)
            lines.append((line_start, cut))
            line_start, i = cut, cut
            w = cell_len(text[i:word_end]) + (extra(i, word_end) if extra else 0)
        used += w + (k - word_end)
        i = k
    if line_start < end:
        lines.append((line_start, end))
    return lines


def _cut(text: str, start: int, end: int, width: int, extras: _Extras | None) -> int:
    used = 0
    for i in range(start, end):
        used += cell_len(text[i]) + (extras.width.get(i + 1, 0) if extras is not None else 0)
        if used > width:
            return max(i, start + 1)
    return end


def overlapping(ranges: list[Span], start: int, end: int) -> list[Span]:
    """The spans of sorted ``ranges`` overlapping ``[start, end)`` (an empty line: its position)."""
    i = max(bisect.bisect_left(ranges, start, key=lambda s: s.start) - 1, 0)
    found = []
    while i < len(ranges) and ranges[i].start < max(end, start + 1):
        if ranges[i].end > start:
            found.append(ranges[i])
        i += 1
    return found


def overlapping_one(ranges: list[Span], start: int, end: int) -> Span | None:
    """The range overlapping ``[start, end)`` in sorted ``ranges`` that never overlap one another."""
    i = bisect.bisect_left(ranges, end, key=lambda s: s.start) - 1
    if i >= 0 and ranges[i].end > start:
        return ranges[i]
    return None


def first_from(ranges: list[Span], offset: int) -> Span | None:
    """The first of sorted ``ranges`` starting at or after ``offset``, else the first of all (wrapping)."""
    i = bisect.bisect_left(ranges, offset, key=lambda s: s.start)
    if i < len(ranges):
        return ranges[i]
    return ranges[0] if ranges else None


def paragraph_break(text: str, offset: int, delta: int) -> int:
    """Where the paragraph break after ``offset`` is (``delta`` > 0; the end when there is none), or the
    break before the paragraph ``offset`` is in (the start when there is none)."""
    if delta > 0:
        found = text.find("\n\n", offset)
        return len(text) if found == -1 else found
    found = text.rfind("\n\n", 0, text.rfind("\n\n", 0, offset) if offset else 0)
    return 0 if found == -1 else found


class ArticleLayout:
    """The wrapped lines of one text at one width, with the spans on each line.

    ``tag_cells(label)`` gives the cells a label tag takes after its span (None: no tags).
    """

    def __init__(
        self,
        text: str,
        width: int,
        spans: Iterable[Span] = (),
        tag_cells: Callable[[str], int] | None = None,
    ) -> None:
        self.text = text
        self.width = max(width, 1)
        self.tag_cells = tag_cells
        self.spans: list[Span] = sorted(spans, key=span_order)
        self._layout()

    def _layout(self) -> None:
        self.extras = _Extras()
        if self.tag_cells is not None:
            for span in self.spans:
                self.extras.add(span.end, self.tag_cells(span.label))
        self.lines = wrap(self.text, self.width, self.extras) or [(0, 0)]
        self.line_starts = [start for start, _ in self.lines]
        self.line_spans: list[list[Span]] = [[] for _ in self.lines]
        for span in self.spans:
            for line in range(self.line_of(span.start), self.line_of(max(span.start, span.end - 1)) + 1):
                self.line_spans[line].append(span)

    def rewrap(self, width: int) -> bool:
        """Lay the text out again at ``width``; False when nothing changed."""
        width = max(width, 1)
        if width == self.width:
            return False
        self.width = width
        self._layout()
        return True

    def set_spans(self, spans: Iterable[Span], tag_cells: Callable[[str], int] | None = None) -> None:
        self.spans = sorted(spans, key=span_order)
        self.tag_cells = tag_cells
        self._layout()

    # --- geometry --------------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return max(bisect.bisect_right(self.line_starts, offset) - 1, 0)

    def cells(self, start: int, offset: int, shown: str) -> int:
        """Cells from ``start`` to ``offset`` on one line of ``shown`` (the text as drawn), tags included."""
        return cell_len(shown[start:offset]) + self.extras.between(start, offset)

    def column(self, offset: int, shown: str) -> int:
        return self.cells(self.lines[self.line_of(offset)][0], offset, shown)

    def token_at(self, tokens: Sequence[Token], line: int, column: int, shown: str) -> int:
        """The token on ``line`` nearest to ``column``; a tag counts as part of the token before it."""
        start, end = self.lines[min(max(line, 0), len(self.lines) - 1)]
        first = token_index_at(tokens, start)
        best, best_distance = min(first, len(tokens) - 1), None
        i = first
        while i < len(tokens) and tokens[i][0] < end:
            left = self.cells(start, tokens[i][0], shown)
            right = left + self.cells(tokens[i][0], tokens[i][1], shown)
            distance = 0 if left <= column < right else min(abs(column - left), abs(column - right + 1))
            if best_distance is None or distance < best_distance:
                best, best_distance = i, distance
            i += 1
        return max(best, 0)

    def edge_token(self, tokens: Sequence[Token], offset: int, side: int) -> int:
        """The first (``side`` < 0) or last token on the line of ``offset``."""
        start, end = self.lines[self.line_of(offset)]
        token = token_index_at(tokens, start) if side < 0 else token_index_at(tokens, end) - 1
        return min(max(token, 0), len(tokens) - 1)

    def spans_between(self, start: int, end: int) -> list[Span]:
        """The spans overlapping ``[start, end)``, in order (found through the lines, not every span)."""
        found: dict[tuple[int, int, str], Span] = {}
        for line in range(self.line_of(start), self.line_of(max(start, end - 1)) + 1):
            for span in self.line_spans[line]:
                if overlaps(span.start, span.end, start, end):
                    found[span.start, span.end, span.label] = span
        return list(found.values())

    def tags_on(self, line: int) -> list[Span]:
        """Spans whose tag is drawn on ``line`` (they end on it), in drawing order."""
        start, end = self.lines[line]
        if self.tag_cells is None:
            return []
        ending = [s for s in self.line_spans[line] if start < s.end <= end]
        return sorted(ending, key=lambda s: (s.end, s.end - s.start, s.label))

    # --- edits -----------------------------------------------------------------------------------

    def change(self, removed: Sequence[Span], added: Sequence[Span]) -> tuple[list[int], int | None]:
        """Apply an edit: ``(lines to redraw, first line of those that moved or None)``.

        Only the paragraphs the changed spans lie in are wrapped again (their tags may move words to
        another line); when a paragraph's line count changes, every line after it moves too.
        """
        gone = {_key(s) for s in removed}
        for key in gone:  # found by bisection, not by a pass over every span
            i = bisect.bisect_left(self.spans, (key[0], -key[1], key[2]), key=span_order)
            while i < len(self.spans) and _key(self.spans[i]) == key:
                del self.spans[i]
        for span in added:
            bisect.insort(self.spans, span, key=span_order)
        if self.tag_cells is not None:
            for span in removed:
                self.extras.add(span.end, -self.tag_cells(span.label))
            for span in added:
                self.extras.add(span.end, self.tag_cells(span.label))
        blocks = self._blocks([*removed, *added])
        touched: list[int] = []
        moved_from: int | None = None
        for block_start, block_end in reversed(blocks):
            first = self.line_of(block_start)
            last = bisect.bisect_right(self.line_starts, block_end) - 1
            candidates = {_key(s): s for line in range(first, last + 1) for s in self.line_spans[line]}
            for key in gone:
                candidates.pop(key, None)
            for span in added:
                if span.start <= block_end and span.end > block_start:
                    candidates[_key(span)] = span
            if self.tag_cells is not None:
                new_lines = self._wrap_block(block_start, block_end)
            else:
                new_lines = self.lines[first : last + 1]
            ordered = sorted(candidates.values(), key=span_order)
            new_spans = [
                [s for s in ordered if overlaps(s.start, s.end, line_start, max(line_end, line_start + 1))]
                for line_start, line_end in new_lines
            ]
            self.lines[first : last + 1] = new_lines
            self.line_starts[first : last + 1] = [start for start, _ in new_lines]
            self.line_spans[first : last + 1] = new_spans
            shift = len(new_lines) - (last - first + 1)
            touched = [first + n for n in range(len(new_lines))] + [t + shift for t in touched]
            if shift:
                moved_from = first
        return sorted(set(touched)), moved_from

    def _blocks(self, spans: Sequence[Span]) -> list[tuple[int, int]]:
        """The whole paragraphs (``start``, ``end`` offsets, end at the newline) the spans lie in, merged."""
        text = self.text
        ranges = []
        for span in spans:
            start = text.rfind("\n", 0, span.start) + 1
            end = text.find("\n", max(span.start, span.end - 1))
            ranges.append((start, len(text) if end == -1 else end))
        ranges.sort()
        merged: list[tuple[int, int]] = []
        for start, end in ranges:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def _wrap_block(self, start: int, end: int) -> list[Line]:
        lines: list[Line] = []
        position = start
        while True:
            stop = self.text.find("\n", position, end)
            stop = end if stop == -1 else stop
            lines.extend(wrap_paragraph(self.text, position, stop, self.width, self.extras))
            if stop >= end:
                return lines
            position = stop + 1
