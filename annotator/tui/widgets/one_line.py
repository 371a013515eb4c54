"""A widget one line high showing a Rich ``Text`` fitted to its width: rendered into segments once and kept
as a strip until the text or the width changes (a ``Static`` re-parses and re-wraps on every update)."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class OneLineText(Widget):
    UNMEASURED_WIDTH = 10_000
    """The width ``text`` fits to before the widget has been laid out."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._strip: Strip | None = None

    def fitted(self, width: int) -> Text:
        """The line for ``width`` cells."""
        raise NotImplementedError

    @property
    def text(self) -> Text:
        return self.fitted(self.content_region.width or self.UNMEASURED_WIDTH)

    def changed(self) -> None:
        """The line's content changed: draw it again."""
        self._strip = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        base = self.rich_style
        if y != 0:
            return Strip.blank(width, base)
        if self._strip is None or self._strip.cell_length != width:
            segments = [
                Segment(s.text, base + s.style if s.style else base)
                for s in self.fitted(width).render(self.app.console)
                if s.text != "\n"
            ]
            self._strip = Strip(segments).crop_extend(0, width, base)
        return self._strip
