"""A one-line bar whose text changes on every key: one cached strip, no markup, no re-layout."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from annotator.literal import visible
from annotator.model import Span


def selection_status(
    text: str, selection: tuple[int, int] | None, under: Sequence[Span], styles: dict[str, Style]
) -> Text:
    """The selected words (shortened), then each span ``under`` the selection with its label."""
    if selection is None:
        return Text()
    start, end = selection
    words = " ".join(text[start:end].split())
    shown = visible(words if len(words) < 60 else words[:57] + "…")
    line = Text.assemble(("selection ", "dim"), Text(shown))
    for span in under:
        line.append("  ")
        line.append(f" {visible(span.label)} ", styles.get(span.label, Style(reverse=True)))
        line.append(" " + visible(" ".join(text[span.start : span.end].split())))
    return line


class StatusLine(Widget):
    """Shows a `Text` on one line, cropped to the width.

    A `Static` re-parses its content into a `Content` and wraps it on every update; this renders the
    `Text` once into segments and keeps the strip until the next update.
    """

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._strip: Strip | None = None

    @property
    def text(self) -> Text:
        return self._text

    def show(self, text: Text) -> None:
        if text == self._text:
            return
        self._text = text
        self._strip = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if y != 0:
            return Strip.blank(width, self.rich_style)
        if self._strip is None or self._strip.cell_length != width:
            base = self.rich_style
            segments = [
                Segment(segment.text, base + segment.style if segment.style else base)
                for segment in self._text.render(self.app.console)
                if segment.text != "\n"
            ]
            self._strip = Strip(segments).crop_extend(0, width, base)
        return self._strip
