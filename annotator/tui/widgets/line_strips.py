"""The article's lines as strips: each drawn once, kept by its offsets, finished once
(``PaintedLines``), and the pages either side of the one shown drawn ahead while the keys rest."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from annotator.model import Span
from annotator.text import Token
from annotator.tui.article_layout import ArticleLayout
from annotator.tui.widgets.article_lines import ArticleLook
from annotator.tui.widgets.painted_lines import KeptScrollBar, PaintedLines

AHEAD_AFTER_S = 0.03
"""How long after a frame the lines ahead start to be drawn (the frame is written by then)."""
AHEAD_BATCH = 4
"""Lines drawn ahead at a time, between which keys are handled."""


class LineStrips(PaintedLines, ScrollView):
    """The article's lines as strips, each drawn once and kept by its ``(start, end)`` offsets (a line
    a re-wrap above it moved down keeps its strip), and the pages either side of the one shown drawn
    (and finished, ``PaintedLines``) ahead while the keys rest, so that a page down or up finds its
    lines drawn."""

    text_layout: ArticleLayout
    tokens: Sequence[Token]
    cursor: int
    flags: list[Span]
    _look: ArticleLook
    _cache: dict[tuple[int, int], Strip]
    _frame: tuple[int, int, int] | None = None
    """While a frame is drawn: the scroll offset (x, y) and the width, read once for its lines."""
    _ahead: bool = False
    """Whether drawing ahead is due (a timer set, or its next batch called)."""
    _bar_ready_at: int | None = None
    """The scroll offset the scroll bar's rows a page away were drawn for."""

    @property
    def selection(self) -> tuple[int, int] | None:
        raise NotImplementedError

    @property
    def proposals(self) -> list[Span]:
        raise NotImplementedError

    @property
    def base_style(self) -> Style:
        raise NotImplementedError

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = (self.scroll_offset.x, self.scroll_offset.y, self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None
            if not self._ahead and (self._lines_ahead() or self._bar_ready_at != self.scroll_offset.y):
                self._ahead = True
                self.set_timer(AHEAD_AFTER_S, self._draw_ahead)

    def line_key(self, y: int) -> tuple[int, int] | None:
        top = self.scroll_offset.y if self._frame is None else self._frame[1]
        lines = self.text_layout.lines
        return lines[y + top] if y + top < len(lines) else None

    def render_line(self, y: int) -> Strip:
        x, top, width = self._frame or (
            self.scroll_offset.x,
            self.scroll_offset.y,
            self.scrollable_content_region.width,
        )
        line = y + top
        if self.text_layout.rewrap(max(width, 10)):  # drawn before the resize is handled: its width
            self._cache.clear()
        if line >= len(self.text_layout.lines):
            return Strip.blank(width, self.base_style)
        return self._strip(line).crop_extend(x, x + width, self.base_style)

    def _strip(self, line: int) -> Strip:
        key = self.text_layout.lines[line]
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_article_line(line)
            self._cache[key] = strip
        return strip

    def _render_article_line(self, line: int) -> Strip:
        cursor = self.tokens[self.cursor] if self.tokens else None
        segments = self._look.line(
            self.text_layout,
            line,
            self.base_style,
            self.selection,
            cursor,
            self.proposals,
            self.flags,
        )
        return Strip(segments)

    def _bar_ahead(self) -> None:
        """The scroll bar's rows for its thumb a page down and a page up from here, drawn now."""
        top, bar = self.scroll_offset.y, self.vertical_scrollbar
        self._bar_ready_at = top
        if isinstance(bar, KeptScrollBar) and self.show_vertical_scrollbar:
            page = max(self.scrollable_content_region.height - 1, 1)
            bar.prepare(min(top + page, self.max_scroll_y))
            bar.prepare(max(top - page, 0))

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's scroll bar, but with its rows kept (``KeptScrollBar``): created when first asked
        for, hidden until the article is longer than the view, as Textual does."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = KeptScrollBar(thickness=self.scrollbar_size_vertical)
            self._vertical_scrollbar.display = False
            self.app._start_widget(self, self._vertical_scrollbar)
        return self._vertical_scrollbar

    def _lines_ahead(self) -> list[int]:
        """The lines of the page below the one shown, then of the page above, not drawn yet."""
        layout = self.text_layout
        width, height = self.scrollable_content_region.size
        if not layout.laid_out or height <= 0 or layout.width != max(width, 10):
            return []
        top, count = self.scroll_offset.y, len(layout.lines)
        below = range(min(top + height, count), min(top + 2 * height, count))
        above = range(max(top - height, 0), min(top, count))
        lines, cache, painted = layout.lines, self._cache, self._painted
        return [line for line in (*below, *above) if lines[line] not in cache or lines[line] not in painted]

    def _draw_ahead(self) -> None:
        """A few lines ahead, then the next few in a later call: a key that comes meanwhile waits for
        a few lines at most."""
        lines = self._lines_ahead() if self.is_attached else []
        if not lines:
            self._ahead = False
            if self.is_attached:
                self._bar_ahead()
            return
        style = self.rich_style
        x, width = self.scroll_offset.x, self.scrollable_content_region.width
        for line in lines[:AHEAD_BATCH]:  # as render_line will ask for it
            self.paint_ahead(self.text_layout.lines[line], self._strip(line).crop_extend(x, x + width, style))
        self.call_later(self._draw_ahead)
