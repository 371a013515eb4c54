"""The review's list of disagreements: each with every finished layer's version, numbered by layer.

Rows are drawn from plain strings (text from the article is shown literally); only visible rows render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.literal import visible
from annotator.tui.widgets.article import keep_row_visible

Piece = tuple[str, Style | None]


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
    DisagreementPanel { border: round $warning 60%; height: 2fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Disagreements"
        self.items: list[Item] = []
        self.current = 0
        self.note = ""
        self._rows: list[list[Piece]] = []
        self._first_row: list[int] = []
        self._styles: dict[str, Style] = {}

    def set_label_styles(self, styles: dict[str, Style]) -> None:
        self._styles = styles

    def show(self, items: Sequence[Item], current: int, note: str) -> None:
        self.items = list(items)
        self.current = current
        self.note = note
        self._build()
        if self._first_row:
            keep_row_visible(self, self._first_row[current] + len(self.items[current].versions) + 1)
            keep_row_visible(self, self._first_row[current])

    def _build(self) -> None:
        dim = Style(dim=True)
        rows: list[list[Piece]] = [[(self.note, dim)]]
        self._first_row = []
        for n, item in enumerate(self.items):
            self._first_row.append(len(rows))
            here = n == self.current
            mark = "▶ " if here else ("✓ " if item.resolved else "  ")
            head = Style(bold=True, reverse=True) if here else (dim if item.resolved else Style(bold=True))
            shown = item.text if len(item.text) <= 40 else item.text[:39] + "…"
            rows.append([(mark, None), (f"{n + 1}. {item.kind} ", head), (visible(shown), head)])
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
                rows.append(row)
            rows.append([("   0 ", Style(bold=True) if here else dim), ("none of them", dim)])
        self._rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        segments = [Segment(text, base + style if style else base) for text, style in self._rows[index]]
        return Strip(segments).crop_extend(0, width, base)
