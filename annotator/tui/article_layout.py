"""Where each character of an article sits on screen: wrapped lines, spans per line, label tags.

Pure geometry with no Textual in it, so it is tested on its own. Offsets are code points of the stored
text; columns are terminal cells. A label tag (`` PLACE``) is drawn right after the last character of
each span, so it takes cells in the line: wrapping counts them, and a change of spans re-wraps only the
paragraphs it touches.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len

from annotator.literal import visible
from annotator.model import Span
from annotator.spans import overlaps, spans_per_line
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

    def add_each(self, changes: Iterable[tuple[int, int]]) -> None:
        """:meth:`add` for many ``(position, cells)`` at once (the positions sorted once, not each)."""
        for position, cells in changes:
            self.width[position] = self.width.get(position, 0) + cells
            if self.width[position] == 0:
                del self.width[position]
        self.positions = sorted(self.width)

    def between(self, start: int, end: int) -> int:
        """Cells inserted at positions ``p`` with ``start < p <= end``."""
        if not self.positions:
            return 0
        first = bisect.bisect_right(self.positions, start)
        last = bisect.bisect_right(self.positions, end)
        return sum(self.width[self.positions[i]] for i in range(first, last))

    def any_between(self, start: int, end: int) -> bool:
        """Whether cells are inserted at a position ``p`` with ``start < p <= end``."""
        if not self.positions:
            return False
        return bisect.bisect_right(self.positions, start) < bisect.bisect_right(self.positions, end)


_NOT_ONE_CELL = re.compile(
    "[^\u0020-\u007e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u2500-\u25fc\u2800-\u28ff]"
)
"""Any character outside the ranges Rich measures one cell each, whatever is around them (Rich's own
fast path): where none is, a run of characters takes as many cells as it has characters."""
LONGEST_MARK = 256
"""Characters a mark (a proposal: at most six words) spans at most, when finding the lines of many."""
FIND_WINDOW = 1024
"""Characters looked through for the end of a word (beyond, it is longer than any line)."""


def _cells(text: str, start: int, end: int) -> int:
    """Cells ``text[start:end]`` takes as drawn (through ``visible``: a control character's picture)."""
    return cell_len(visible(text[start:end]))


def wrap(text: str, width: int, extras: _Extras | None = None) -> list[Line]:
    """Lines of ``text`` at ``width`` cells as ``(start, end)`` offsets; breaks at spaces, else anywhere."""
    lines: list[Line] = []
    position = 0
    size = len(text)
    while True:
        end = text.find("\n", position)
        end = size if end == -1 else end
        lines.extend(wrap_paragraph(text, position, end, width, extras))
        if end == size:
            return lines
        position = end + 1


def wrap_paragraph(text: str, start: int, end: int, width: int, extras: _Extras | None = None) -> list[Line]:
    """The lines of the paragraph ``text[start:end]`` (no newline inside)."""
    width = max(width, 1)
    if start == end:
        return [(start, end)]
    lines: list[Line] = []
    position = start
    while position < end:
        stop = line_end(text, position, end, width, extras)
        lines.append((position, stop))
        position = stop
    return lines


def line_end(text: str, start: int, end: int, width: int, extras: _Extras | None = None) -> int:
    """Where the line that starts at ``start`` ends, in the paragraph ending at ``end``: after the last
    word that fits (with the spaces after it), or where the cells run out in a word longer than a line.

    Greedy, word by word; the same, line by line, for a line of one-cell characters (a look for its
    last space, and the one before while the tags make it too long: not a measure of every word; a
    10 MB article is 85,000 lines).
    """
    stop = start + width
    last = stop + 1 if stop < end else end
    if text[start] != " " and _NOT_ONE_CELL.search(text, start, last) is None:
        # one cell a character: the line ends after the last word whose end, counted with the tags
        # before it, is within the width
        tags = extras if extras is not None and extras.positions else None
        if stop >= end and (tags is None or end - start + tags.between(start, end) <= width):
            return end
        space = text.rfind(" ", start + 1, stop + 1 if stop < end else end)
        while space != -1:
            word_end = space
            while text[word_end - 1] == " ":
                word_end -= 1
            if tags is None or word_end - start + tags.between(start, word_end) <= width:
                k = word_end
                while k < end and text[k] == " ":
                    k += 1
                return k
            space = text.rfind(" ", start + 1, word_end)
        if tags is None or not tags.any_between(start, stop):
            return stop  # a word longer than the line, cut where the cells run out
    extra = extras.between if extras is not None and extras.positions else None
    used = 0
    i = start
    find = text.find
    while i < end:
        window = i + FIND_WINDOW + width
        word_end = find(" ", i, window if window < end else end)
        if word_end == -1:
            word_end = _word_end(text, i, end, width)
        k = word_end
        while k < end and text[k] == " ":
            k += 1
        word = text[i:word_end]
        w = _WORD_CELLS.get(word)
        if w is None:
            w = _word_cells(word)
        if extra is not None:
            w += extra(i, word_end)
        if used and used + w > width:
            return i
        if w > width:  # a word longer than the line (at the line's start): cut it
            return _cut(text, i, word_end, width, extras)
        used += w + (k - word_end)
        i = k
    return end


_WORD_CELLS: dict[str, int] = {}
"""The cells of words met while wrapping (a text repeats its words: measured once)."""


def _word_cells(word: str) -> int:
    cells = cell_len(visible(word))
    if len(word) <= 64:
        if len(_WORD_CELLS) >= 65_536:
            _WORD_CELLS.clear()
        _WORD_CELLS[word] = cells
    return cells


def _word_end(text: str, start: int, end: int, width: int) -> int:
    """Where the word at ``start`` ends (a space or ``end``), looked for near it: a word running beyond
    the window is longer than a line (unless most of it takes no cells: then it is looked for whole)."""
    window = min(end, start + FIND_WINDOW + width)
    found = text.find(" ", start, window)
    if found != -1:
        return found
    if window == end or _cells(text, start, window) > width:
        return window
    found = text.find(" ", window, end)
    return end if found == -1 else found


def _cut(text: str, start: int, end: int, width: int, extras: _Extras | None) -> int:
    used = 0
    for i in range(start, end):
        used += _cells(text, i, i + 1) + (extras.width.get(i + 1, 0) if extras is not None else 0)
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

    ``tag_cells(label)`` gives the cells a label tag takes after its span (None: no tags); ``marks`` are
    other ranges with a tag after them, one cell wider (proposals: ``PLACE?``), sorted by start and
    never overlapping one another. The text is
    wrapped when its lines are first asked for, and again only for a new width; an edit wraps again from
    the line before the first it touches until the lines meet the old ones (a tag in a 10 MB paragraph
    re-wraps a line or two, not the paragraph).
    """

    def __init__(
        self,
        text: str,
        width: int,
        spans: Iterable[Span] = (),
        tag_cells: Callable[[str], int] | None = None,
        marks: Iterable[Span] = (),
    ) -> None:
        self.text = text
        self.width = max(width, 1)
        self.tag_cells = tag_cells
        self.spans: list[Span] = sorted(spans, key=span_order)
        self.marks: list[Span] = sorted(marks, key=_start)
        self._count_tags()
        self._lines: list[Line] | None = None
        self._line_starts: list[int] = []
        self._line_spans: list[list[Span]] = []

    @property
    def laid_out(self) -> bool:
        """Whether the text has been wrapped at the current width (it is, when its lines are asked for)."""
        return self._lines is not None

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            self._layout()
        assert self._lines is not None
        return self._lines

    @property
    def line_starts(self) -> list[int]:
        if self._lines is None:
            self._layout()
        return self._line_starts

    @property
    def line_spans(self) -> list[list[Span]]:
        """The spans on each line, in span order."""
        if self._lines is None:
            self._layout()
        return self._line_spans

    def _count_tags(self) -> None:
        self._mark_cells: dict[str, int] = {}
        self.extras = _Extras()
        if self.tag_cells is not None:
            for span in self.spans:
                self.extras.add(span.end, self.tag_cells(span.label))
            for mark in self.marks:
                self.extras.add(mark.end, self.mark_cells(mark.label))

    def mark_cells(self, label: str) -> int:
        """The cells of a mark's tag (a span's, and a question mark)."""
        if self.tag_cells is None:
            return 0
        cells = self._mark_cells.get(label)
        if cells is None:
            cells = self._mark_cells[label] = self.tag_cells(label) + 1
        return cells

    def _layout(self) -> None:
        lines = wrap(self.text, self.width, self.extras) or [(0, 0)]
        self._lines = lines
        self._line_starts = [start for start, _ in lines]
        self._line_spans = [[] for _ in lines]
        for span in self.spans:
            for line in range(self.line_of(span.start), self.line_of(max(span.start, span.end - 1)) + 1):
                self._line_spans[line].append(span)

    def rewrap(self, width: int) -> bool:
        """Lay the text out at ``width`` (when next asked for); False when the width is the same."""
        width = max(width, 1)
        if width == self.width:
            return False
        self.width = width
        self._lines = None
        return True

    def set_spans(
        self, spans: Iterable[Span], tag_cells: Callable[[str], int] | None = None
    ) -> tuple[list[int], int | None] | None:
        """Show ``spans`` instead: as an edit (:meth:`change`'s answer) when they differ from those shown
        in a few, else laid out anew when next asked for (None)."""
        spans = sorted(spans, key=span_order)
        if tag_cells is self.tag_cells and self._lines is not None:
            before, after = Counter(self.spans), Counter(spans)
            removed, added = list((before - after).elements()), list((after - before).elements())
            if len(removed) + len(added) <= max(64, len(spans) // 4):
                changed = self.change(removed, added)
                self.spans = spans
                return changed
        self.spans = spans
        self.tag_cells = tag_cells
        self._count_tags()
        self._lines = None
        return None

    # --- geometry --------------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return max(bisect.bisect_right(self.line_starts, offset) - 1, 0)

    def cells(self, start: int, offset: int, shown: str | None = None) -> int:
        """Cells from ``start`` to ``offset`` on one line as drawn (``shown``: the text as ``visible``
        shows it, else made so here), tags included."""
        drawn = _cells(self.text, start, offset) if shown is None else cell_len(shown[start:offset])
        return drawn + self.extras.between(start, offset)

    def column(self, offset: int, shown: str | None = None) -> int:
        return self.cells(self.lines[self.line_of(offset)][0], offset, shown)

    def token_at(self, tokens: Sequence[Token], line: int, column: int, shown: str | None = None) -> int:
        """The token on ``line`` nearest to ``column``; a tag counts as part of the token before it."""
        lines = self.lines
        start, end = lines[min(max(line, 0), len(lines) - 1)]
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
        """The spans overlapping ``[start, end)``, in order (found through the lines, not every span;
        before the text is wrapped, through every span)."""
        if self._lines is None:
            return [s for s in self.spans if overlaps(s.start, s.end, start, end)]
        found: dict[tuple[int, int, str], Span] = {}
        line_spans = self.line_spans
        for line in range(self.line_of(start), self.line_of(max(start, end - 1)) + 1):
            for span in line_spans[line]:
                if overlaps(span.start, span.end, start, end):
                    found[span.start, span.end, span.label] = span
        return list(found.values())

    def marks_on(self, line: int) -> list[Span]:
        """Marks whose tag is drawn on ``line`` (they end on it), in order."""
        if self.tag_cells is None or not self.marks:
            return []
        start, end = self.lines[line]
        i = bisect.bisect_right(self.marks, start, key=_start)  # the first starting after the line's start
        i = max(i - 1, 0)
        found = []
        while i < len(self.marks) and self.marks[i].start < end:
            if start < self.marks[i].end <= end:
                found.append(self.marks[i])
            i += 1
        return found

    def set_marks(self, marks: Iterable[Span]) -> tuple[list[int], int | None] | None:
        """Show ``marks`` instead (as :meth:`change_marks` where they differ; None: laid out anew)."""
        marks = sorted(marks, key=_start)
        if self._lines is None or self.tag_cells is None:
            self.marks = marks
            self._count_tags()
            return None
        before, after = set(self.marks), set(marks)
        return self.change_marks(
            [m for m in self.marks if m not in after], [m for m in marks if m not in before]
        )

    def change_marks(self, removed: Sequence[Span], added: Sequence[Span]) -> tuple[list[int], int | None]:
        """Take away and add marks: ``(lines to redraw, first line of those that moved or None)``, as
        :meth:`change` (many at once are wrapped again in one pass from the first to the last)."""
        if len(removed) > 16:
            gone = set(removed)
            self.marks = [m for m in self.marks if m not in gone]
        else:  # a tag takes a proposal or two away: found by bisection, not by hashing every mark
            for mark in removed:
                i = bisect.bisect_left(self.marks, mark.start, key=_start)
                while i < len(self.marks) and self.marks[i].start == mark.start:
                    if self.marks[i] == mark:
                        del self.marks[i]
                    else:
                        i += 1
        if len(added) > 16:  # a new window's proposals: one sort, not thousands of inserts
            self.marks = sorted([*self.marks, *added], key=_start)
        else:
            for mark in added:
                bisect.insort(self.marks, mark, key=_start)
        if self.tag_cells is not None:
            changes = [(m.end, -self.mark_cells(m.label)) for m in removed]
            changes += [(m.end, self.mark_cells(m.label)) for m in added]
            if len(changes) > 16:
                self.extras.add_each(changes)
            else:
                for position, cells in changes:
                    self.extras.add(position, cells)
        if self._lines is None:
            return [], None
        positions = sorted({m.end for m in (*removed, *added)})
        clusters = _clusters(positions, 16 * self.width)
        redrawn: set[int] = set()
        moved_at: list[int] = []
        if self.tag_cells is not None:
            for low, high in reversed(clusters):
                redrawn.update(self._rewrap_from(low, set(), moved_at, high))
        touched = {self.line_of(offset) for offset in redrawn}
        if len(removed) + len(added) > 16:  # the lines of each cluster (a mark is shorter than LONGEST)
            for low, high in clusters:
                touched.update(range(self.line_of(max(low - LONGEST_MARK, 0)), self.line_of(high) + 1))
        else:
            for mark in (*removed, *added):
                first, last = self.line_of(mark.start), self.line_of(max(mark.start, mark.end - 1))
                touched.update(range(first, last + 1))
        moved_from = min(self.line_of(offset) for offset in moved_at) if moved_at else None
        return sorted(touched), moved_from

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

        Where a tag came or went, the lines are wrapped again from the line before it until a line
        starts where one started before (its words may move to the line above or below); when the
        number of lines changes, every line after moves too. The spans of the lines the edit touches
        are listed again.
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
        if self._lines is None:
            return [], None
        redrawn: set[int] = set()
        """Start offsets of the lines to redraw (line numbers move while lines are wrapped again)."""
        moved_at: list[int] = []
        if self.tag_cells is not None:
            for position in sorted({s.end for s in (*removed, *added)}, reverse=True):
                redrawn.update(self._rewrap_from(position, gone, moved_at))
        touched = {self.line_of(offset) for offset in redrawn}
        for span in (*removed, *added):
            first, last = self.line_of(span.start), self.line_of(max(span.start, span.end - 1))
            for line in range(first, last + 1):
                self._list_spans(line, gone, added)
                touched.add(line)
        moved_from = min(self.line_of(offset) for offset in moved_at) if moved_at else None
        return sorted(touched), moved_from

    def _rewrap_from(
        self, position: int, gone: set[tuple[int, int, str]], moved_at: list[int], until: int | None = None
    ) -> list[int]:
        """Wrap again the lines around a tag's ``position`` (see :meth:`change`), or from there on ``until``
        that offset; the new lines' starts. Where the number of lines changed, the first new line's
        start goes into ``moved_at``."""
        until = position if until is None else until
        text, size = self.text, len(self.text)
        lines, starts, line_spans = self.lines, self._line_starts, self._line_spans
        # From the line before the tagged word's first (its words may move up), but in a word cut over
        # many lines no further back than three lines: beyond, its rest is longer than a line either way.
        floor = max(self.line_of(max(position - 1, 0)) - 3, 0)
        look_from = max(lines[floor][0] - 1, 0)
        space = max(text.rfind(" ", look_from, position), text.rfind("\n", look_from, position))
        first = max(self.line_of(space + 1) - 1, 0) if space != -1 else floor
        at = lines[first][0]
        paragraph_end = text.find("\n", at)
        paragraph_end = size if paragraph_end == -1 else paragraph_end
        new: list[Line] = []
        last = len(lines)
        while True:
            end = (
                paragraph_end
                if at == paragraph_end
                else line_end(text, at, paragraph_end, self.width, self.extras)
            )
            new.append((at, end))
            if end == paragraph_end:
                if end == size:
                    break
                following = end + 1
                paragraph_end = text.find("\n", following)
                paragraph_end = size if paragraph_end == -1 else paragraph_end
            else:
                following = end
            if following > until:
                j = bisect.bisect_left(starts, following)
                if j < len(starts) and starts[j] == following:
                    last = j
                    break
            at = following
        if new == lines[first:last]:
            return []
        candidates = {_key(s): s for line in range(first, last) for s in line_spans[line]}
        ordered = sorted((s for k, s in candidates.items() if k not in gone), key=span_order)
        lines[first:last] = new
        starts[first:last] = [start for start, _ in new]
        line_spans[first:last] = spans_per_line(ordered, new)
        if len(new) != last - first:
            moved_at.append(new[0][0])
        return [start for start, _ in new]

    def _list_spans(self, line: int, gone: set[tuple[int, int, str]], added: Sequence[Span]) -> None:
        """The spans of ``line`` again after an edit that took away ``gone`` and brought ``added``."""
        start, end = self.lines[line]
        end = max(end, start + 1)
        found = {_key(s): s for s in self._line_spans[line] if _key(s) not in gone}
        for span in added:
            if overlaps(span.start, span.end, start, end):
                found[_key(span)] = span
        self._line_spans[line] = sorted(found.values(), key=span_order)


def _start(span: Span) -> int:
    return span.start


def _clusters(positions: list[int], gap: int) -> list[tuple[int, int]]:
    """Sorted ``positions`` as ranges of those less than ``gap`` apart: each range is wrapped again in
    one pass (the proposals of a window: one pass over it, not 5,000 nor one over the whole text)."""
    ranges: list[tuple[int, int]] = []
    for position in positions:
        if ranges and position - ranges[-1][1] < gap:
            ranges[-1] = (ranges[-1][0], position)
        else:
            ranges.append((position, position))
    return ranges
