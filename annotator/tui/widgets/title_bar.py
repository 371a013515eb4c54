"""The one-line title above the article: pieces that do not fit the width are left out whole, the least
needed first, so nothing is cut mid-word at 80 columns."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

GAP = "  "


def fit(pieces: Sequence[tuple[Text, int]], width: int) -> Text:
    """The pieces ``(text, rank)`` in their order, without those of the highest ranks (the least needed)
    until the rest fits ``width`` cells."""
    kept = list(pieces)
    while len(kept) > 1 and sum(p.cell_len for p, _ in kept) + len(GAP) * (len(kept) - 1) > width:
        kept.remove(max(kept, key=lambda piece: piece[1]))
    return Text(GAP).join(p for p, _ in kept)


class TitleBar(Widget):
    DEFAULT_CSS = "TitleBar { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pieces: list[tuple[Text, int]] = []
        self._strip: Strip | None = None

    @property
    def text(self) -> Text:
        return fit(self.pieces, self.content_region.width or 10_000)

    def show(self, pieces: Sequence[tuple[Text, int]]) -> None:
        if list(pieces) != self.pieces:
            self.pieces = list(pieces)
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
                for s in fit(self.pieces, width).render(self.app.console)
                if s.text != "\n"
            ]
            self._strip = Strip(segments).crop_extend(0, width, base)
        return self._strip
