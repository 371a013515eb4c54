"""The article: wrapped once per width, only visible lines rendered, each line's strip cached.

Offsets are code points of the stored text; the view keeps a token cursor and an anchor, so a selection
is always whole tokens. Spans are drawn in their label's colour; overlapping spans are underlined.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Span
from annotator.text import Token, token_index_at

# Control characters never reach the terminal: each shows as one visible symbol, so offsets stay 1:1.
_VISIBLE = {cp: 0x2400 + cp for cp in range(0x20) if cp not in (0x0A,)}
_VISIBLE.update({0x7F: 0x2421, 0x09: 0x2409})
_VISIBLE.update({cp: 0xFFFD for cp in range(0x80, 0xA0)})


def visible(text: str) -> str:
    """``text`` with every control character replaced by a one-cell picture of it."""
    return text.translate(_VISIBLE)


def keep_row_visible(view: ScrollView, row: int) -> None:
    """Scroll ``view`` the least that brings virtual row ``row`` on screen."""
    top = view.scroll_offset.y
    height = view.scrollable_content_region.height
    if row < top:
        view.scroll_to(y=row, animate=False)
    elif height and row >= top + height:
        view.scroll_to(y=row - height + 1, animate=False)


def _span_order(span: Span) -> tuple[int, int, str]:
    return span.start, -span.end, span.label


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Lines of ``text`` at ``width`` cells as ``(start, end)`` offsets; breaks at spaces, else anywhere."""
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    position = 0
    for paragraph in text.split("\n"):
        start = position
        end = position + len(paragraph)
        if start == end:
            lines.append((start, end))
        line_start = start
        used = 0
        i = start
        while i < end:
            j = text.find(" ", i, end)
            word_end = end if j == -1 else j
            k = word_end
            while k < end and text[k] == " ":
                k += 1
            w = cell_len(text[i:word_end])
            if used and used + w > width:
                lines.append((line_start, i))
                line_start, used = i, 0
            while w > width:  # a word longer than the line: cut it where the cells run out
                cut = _cut(text, i, word_end, width)
                lines.append((line_start, cut))
                line_start, i = cut, cut
                w = cell_len(text[i:word_end])
            used += w + (k - word_end)
            i = k
        if line_start < end or (start < end and line_start == end and not lines):
            lines.append((line_start, end))
        position = end + 1
    return lines


def _cut(text: str, start: int, end: int, width: int) -> int:
    used = 0
    for i in range(start, end):
        used += cell_len(text[i])
        if used > width:
            return max(i, start + 1)
    return end


class ArticleView(ScrollView, can_focus=True):
    """A scrollable, token-addressed view of one article."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    ArticleView { background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "Previous token", show=False, id="article.left"),
        Binding("right", "move(1)", "Next token", show=False, id="article.right"),
        Binding("shift+left", "move(-1, True)", "Extend left", show=False, id="article.extend_left"),
        Binding("shift+right", "move(1, True)", "Extend right", show=False, id="article.extend_right"),
        Binding("up", "line(-1)", "Line up", show=False, id="article.up"),
        Binding("down", "line(1)", "Line down", show=False, id="article.down"),
        Binding("shift+up", "line(-1, True)", "Extend up", show=False, id="article.extend_up"),
        Binding("shift+down", "line(1, True)", "Extend down", show=False, id="article.extend_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="article.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="article.page_down"),
        Binding("ctrl+up", "paragraph(-1)", "Paragraph up", show=False, id="article.paragraph_up"),
        Binding("ctrl+down", "paragraph(1)", "Paragraph down", show=False, id="article.paragraph_down"),
        Binding("home", "edge(-1)", "Line start", show=False, id="article.home"),
        Binding("end", "edge(1)", "Line end", show=False, id="article.end"),
        Binding("escape", "collapse", "Clear selection", show=False, id="article.collapse"),
    ]

    class SelectionChanged(Message):
        """The selection moved; ``start``/``end`` are its offsets in the text."""

        def __init__(self, view: ArticleView, start: int, end: int) -> None:
            super().__init__()
            self.view = view
            self.start = start
            self.end = end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self._shown = ""
        self.tokens: list[Token] = []
        self.spans: list[Span] = []
        self.cursor = 0
        self.anchor = 0
        self._styles: dict[str, Style] = {}
        self._lines: list[tuple[int, int]] = []
        self._line_starts: list[int] = []
        self._line_spans: list[list[Span]] = []
        self._wrap_width = -1
        self._cache: dict[int, Strip] = {}
        self._dragging = False

    # --- content ---------------------------------------------------------------------------------

    def load(self, text: str, tokens: list[Token], spans: Sequence[Span], cursor: int = 0) -> None:
        self.text = text
        self._shown = visible(text)
        self.tokens = tokens
        self.cursor = self.anchor = min(cursor, max(len(tokens) - 1, 0))
        self.spans = sorted(spans, key=_span_order)
        self._wrap_width = -1
        self._rewrap()
        self.scroll_to(0, 0, animate=False)
        self._post_selection()

    def set_label_styles(self, styles: dict[str, Style]) -> None:
        self._styles = styles
        self._cache.clear()
        self.refresh()

    def set_spans(self, spans: Sequence[Span]) -> None:
        self.spans = sorted(spans, key=_span_order)
        self._index_spans()
        self._cache.clear()
        self.refresh()

    def change_spans(self, removed: Sequence[Span], added: Sequence[Span]) -> None:
        """Apply an edit without re-indexing every span: only the lines it touches are redrawn."""
        gone = {(s.start, s.end, s.label) for s in removed}
        touched: set[int] = set()
        for span in [*removed, *added]:
            touched.update(range(self._line_of(span.start), self._line_of(max(span.start, span.end - 1)) + 1))
        self.spans = [s for s in self.spans if (s.start, s.end, s.label) not in gone]
        for span in added:
            bisect.insort(self.spans, span, key=_span_order)
        for line in touched:
            start, end = self._lines[line]
            kept = [s for s in self._line_spans[line] if (s.start, s.end, s.label) not in gone]
            kept.extend(s for s in added if s.start < max(end, start + 1) and s.end > start)
            kept.sort(key=_span_order)
            self._line_spans[line] = kept
            self._cache.pop(line, None)
            self.refresh_lines(line)

    def _index_spans(self) -> None:
        self._line_spans = [[] for _ in self._lines]
        if not self._lines:
            return
        for span in self.spans:
            first = self._line_of(span.start)
            last = self._line_of(max(span.start, span.end - 1))
            for line in range(first, last + 1):
                self._line_spans[line].append(span)

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        if width == self._wrap_width:
            return
        self._wrap_width = width
        self._lines = wrap(self.text, width) or [(0, 0)]
        self._line_starts = [start for start, _ in self._lines]
        self._index_spans()
        self._cache.clear()
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()
        self.scroll_to_cursor()

    # --- geometry --------------------------------------------------------------------------------

    def _line_of(self, offset: int) -> int:
        return max(bisect.bisect_right(self._line_starts, offset) - 1, 0)

    def _column(self, offset: int) -> int:
        start = self._lines[self._line_of(offset)][0]
        return cell_len(self._shown[start:offset])

    def _token_at(self, line: int, column: int) -> int:
        """The token on ``line`` nearest to ``column``."""
        start, end = self._lines[min(max(line, 0), len(self._lines) - 1)]
        first = token_index_at(self.tokens, start)
        best, best_distance = first if first < len(self.tokens) else len(self.tokens) - 1, None
        i = first
        while i < len(self.tokens) and self.tokens[i][0] < end:
            left = cell_len(self._shown[start : self.tokens[i][0]])
            right = left + cell_len(self._shown[self.tokens[i][0] : self.tokens[i][1]])
            distance = 0 if left <= column < right else min(abs(column - left), abs(column - right + 1))
            if best_distance is None or distance < best_distance:
                best, best_distance = i, distance
            i += 1
        return max(best, 0)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected text's ``(start, end)`` offsets (at least the cursor's token), None if no tokens."""
        if not self.tokens:
            return None
        first, last = sorted((self.anchor, self.cursor))
        return self.tokens[first][0], self.tokens[last][1]

    # --- movement --------------------------------------------------------------------------------

    def select_tokens(self, anchor: int, cursor: int) -> None:
        if not self.tokens:
            return
        top = len(self.tokens) - 1
        old = self.selection
        self.anchor = min(max(anchor, 0), top)
        self.cursor = min(max(cursor, 0), top)
        new = self.selection
        if old != new:
            for region in (old, new):
                if region is not None:
                    self._refresh_offsets(*region)
            self._post_selection()
        self.scroll_to_cursor()

    def select_offsets(self, start: int, end: int) -> None:
        """Select the tokens covering ``[start, end)``."""
        first = token_index_at(self.tokens, start)
        last = max(token_index_at(self.tokens, max(end - 1, start)), first)
        if last < len(self.tokens) and self.tokens[last][0] >= end and last > first:
            last -= 1
        self.select_tokens(first, last)

    def _move_to(self, token: int, extend: bool) -> None:
        self.select_tokens(self.anchor if extend else token, token)

    def action_move(self, delta: int, extend: bool = False) -> None:
        self._move_to(self.cursor + delta, extend)

    def action_line(self, delta: int, extend: bool = False) -> None:
        if not self.tokens:
            return
        offset = self.tokens[self.cursor][0]
        line = self._line_of(offset) + delta
        if not 0 <= line < len(self._lines):
            return
        self._move_to(self._token_at(line, self._column(offset)), extend)

    def action_page(self, delta: int) -> None:
        if not self.tokens:
            return
        height = max(self.scrollable_content_region.height - 1, 1)
        offset = self.tokens[self.cursor][0]
        line = min(max(self._line_of(offset) + delta * height, 0), len(self._lines) - 1)
        self.scroll_to(y=self.scroll_offset.y + delta * height, animate=False)
        self._move_to(self._token_at(line, self._column(offset)), False)

    def action_paragraph(self, delta: int) -> None:
        if not self.tokens:
            return
        offset = self.tokens[self.cursor][0]
        if delta > 0:
            found = self.text.find("\n\n", offset)
            target = len(self.text) if found == -1 else found
        else:
            found = self.text.rfind("\n\n", 0, self.text.rfind("\n\n", 0, offset) if offset else 0)
            target = 0 if found == -1 else found
        self._move_to(min(token_index_at(self.tokens, target), len(self.tokens) - 1), False)

    def action_edge(self, side: int) -> None:
        if not self.tokens:
            return
        start, end = self._lines[self._line_of(self.tokens[self.cursor][0])]
        token = token_index_at(self.tokens, start) if side < 0 else token_index_at(self.tokens, end) - 1
        self._move_to(min(max(token, 0), len(self.tokens) - 1), False)

    def action_collapse(self) -> None:
        self.select_tokens(self.cursor, self.cursor)

    def scroll_to_cursor(self) -> None:
        if not self.tokens or not self._lines:
            return
        keep_row_visible(self, self._line_of(self.tokens[self.cursor][0]))

    def _post_selection(self) -> None:
        selection = self.selection
        if selection is not None:
            self.post_message(self.SelectionChanged(self, *selection))

    # --- mouse -----------------------------------------------------------------------------------

    def _token_under(self, event: events.MouseEvent) -> int | None:
        if not self.tokens:
            return None
        region = self.scrollable_content_region
        line = event.y - (region.y - self.region.y) + self.scroll_offset.y
        column = event.x - (region.x - self.region.x) + self.scroll_offset.x
        return self._token_at(min(max(line, 0), len(self._lines) - 1), column)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        token = self._token_under(event)
        if token is not None:
            self._dragging = True
            self.capture_mouse()
            self.select_tokens(self.anchor if event.shift else token, token)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        height = self.scrollable_content_region.height
        if event.y < 0:
            self.scroll_to(y=self.scroll_offset.y - 1, animate=False)
        elif event.y >= height:
            self.scroll_to(y=self.scroll_offset.y + 1, animate=False)
        token = self._token_under(event)
        if token is not None:
            self.select_tokens(self.anchor, token)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        if event.chain == 2:
            token = self._token_under(event)
            if token is not None:
                self.select_tokens(token, token)

    # --- rendering -------------------------------------------------------------------------------

    def _refresh_offsets(self, start: int, end: int) -> None:
        first = self._line_of(start)
        last = self._line_of(max(start, end - 1))
        for line in range(first, last + 1):
            self._cache.pop(line, None)
        self.refresh_lines(first, last - first + 1)

    def render_line(self, y: int) -> Strip:
        line = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if line >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._cache.get(line)
        if strip is None:
            strip = self._render_article_line(line)
            self._cache[line] = strip
        return strip.crop_extend(self.scroll_offset.x, self.scroll_offset.x + width, self.rich_style)

    def _render_article_line(self, line: int) -> Strip:
        start, end = self._lines[line]
        base = self.rich_style
        # Boundaries where the style may change: span edges, selection edges, cursor token edges.
        cuts = {start, end}
        spans = self._line_spans[line]
        for span in spans:
            cuts.add(min(max(span.start, start), end))
            cuts.add(min(max(span.end, start), end))
        selection = self.selection
        cursor = self.tokens[self.cursor] if self.tokens else None
        for edge in (*(selection or ()), *(cursor or ())):
            cuts.add(min(max(edge, start), end))
        points = sorted(cuts)
        segments = []
        for left, right in itertools.pairwise(points):
            if left == right:
                continue
            style = base
            covering = [s for s in spans if s.start < right and s.end > left]
            if covering:
                inner = min(covering, key=lambda s: s.end - s.start)
                style = style + self._styles.get(inner.label, Style(reverse=True))
                if len(covering) > 1:
                    style = style + Style(underline=True)
            if selection and selection[0] <= left and right <= selection[1]:
                style = style + Style(reverse=True)
            if cursor and cursor[0] <= left and right <= cursor[1]:
                style = style + Style(bold=True, underline=True)
            segments.append(Segment(self._shown[left:right], style))
        return Strip(segments)
