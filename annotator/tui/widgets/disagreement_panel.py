"""The review's list of disagreements: each with every finished layer's version, numbered by layer.

Rows are drawn from plain strings (text from the article is shown literally), wrapped to the panel's
width; only visible rows render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.tui.widgets.article import keep_row_visible
from annotator.tui.widgets.article_lines import visible
from annotator.tui.widgets.wrapping import Piece, wrapped


@dataclass(frozen=True)
class Version:
    """One layer's spans in a disagreement: ``(label, text)`` pairs, none when it left the place empty."""

    layer: str
    spans: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Item:
    kind: str
    text: str
    versions: tuple[Version, ...]
    resolved: bool


class DisagreementPanel(ScrollView):
    """Not focusable: the review keys act on the current disagreement wherever the focus is."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    DisagreementPanel {
        border: round $warning 60%; height: 2fr; overflow-x: hidden; scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Disagreements"
        self.items: list[Item] = []
        self.current = 0
        self.note = ""
        self._rows: list[list[Segment]] = []
        self._first_row: list[int] = []
        """The first row of each disagreement, and how many rows it takes (wrapped)."""
        self._item_rows: list[int] = []
        self._styles: dict[str, Style] = {}

    def set_label_styles(self, styles: dict[str, Style]) -> None:
        self._styles = styles

    def show(self, items: Sequence[Item], current: int, note: str) -> None:
        self.items = list(items)
        self.current = current
        self.note = note
        self._build()
        if self._first_row:
            keep_row_visible(self, self._first_row[current] + self._item_rows[current] - 1)
            keep_row_visible(self, self._first_row[current])

    def _build(self) -> None:
        """The rows, each wrapped to the panel's width (between words; nothing cut off at the edge)."""
        dim = Style(dim=True)
        logical: list[tuple[int | None, list[Piece]]] = [(None, [(self.note, dim)])]
        for n, item in enumerate(self.items):
            here = n == self.current
            mark = "▶ " if here else ("✓ " if item.resolved else "  ")
            head = Style(bold=True, reverse=True) if here else (dim if item.resolved else Style(bold=True))
            logical.append((n, [(mark, None), (f"{n + 1}. {item.kind} ", head), (visible(item.text), head)]))
            for k, version in enumerate(item.versions, 1):
                number = (f"   {k} ", Style(bold=True) if here else dim)
                row: list[Piece] = [number, (f"{visible(version.layer)}: ", None)]
                if not version.spans:
                    row.append(("none", dim))
                for i, (label, text) in enumerate(version.spans):
                    if i:
                        row.append((" + ", dim))
                    row.append((f" {visible(label)} ", self._styles.get(label, Style(reverse=True))))
                    row.append((" " + visible(text), None))
                logical.append((None, row))
            logical.append((None, [("   0 ", Style(bold=True) if here else dim), ("none of them", dim)]))
        width = max(self.scrollable_content_region.width, 8)
        rows: list[list[Segment]] = []
        self._first_row = []
        for item_index, pieces in logical:
            if item_index is not None:
                self._first_row.append(len(rows))
            rows.extend(wrapped(pieces, width, self.app.console))
        self._rows = rows
        self._item_rows = [
            self._first_row[n + 1] - self._first_row[n] if n + 1 < len(self._first_row) else len(rows) - first
            for n, first in enumerate(self._first_row)
        ]
        self.virtual_size = Size(width, len(rows))
        self.refresh()

    def on_resize(self) -> None:
        self._build()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        segments = [Segment(s.text, base + s.style if s.style else base) for s in self._rows[index]]
        return Strip(segments).crop_extend(0, width, base)
