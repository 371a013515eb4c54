"""The entity panel: this document's spans grouped by label, with counts; choosing one jumps to it.

Like the article, it renders only its visible rows (a document can hold thousands of spans, and an
option list re-measured every row on every change: 75 ms per tag at 2,000 spans).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.keymap import ENTITY_PANEL
from annotator.literal import visible
from annotator.model import Label, Span
from annotator.tui.bindings import key_bindings
from annotator.tui.widgets.article import keep_row_visible

Row = tuple[str, Style | None, Span | None]
"""A heading's text and the style of its label chip (the chip is the text up to its count), or an entry's
span (its text is taken from the article only when the row is drawn)."""


class EntityPanel(ScrollView, can_focus=True):
    ALLOW_SELECT = False
    DEFAULT_CSS = """
    EntityPanel { border: round $primary 50%; border-title-color: $text; }
    EntityPanel:focus { border: round $primary; }
    """
    BINDINGS = key_bindings(ENTITY_PANEL)

    class Chosen(Message):
        def __init__(self, span: Span) -> None:
            super().__init__()
            self.span = span

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Entities"
        self.rows: list[Row] = []
        self.highlighted: int | None = None
        self._text = ""

    def show(
        self, text: str, spans: Sequence[Span], labels: Sequence[Label], styles: dict[str, Style]
    ) -> None:
        """List ``spans`` under their labels; text from the article is shown as plain, visible text.

        Only the rows on screen take their text from the article, so a tag costs the same with 20
        spans or 2,000.
        """
        by_label: dict[str, list[Span]] = {label.name: [] for label in labels}
        for span in spans:
            by_label.setdefault(span.label, []).append(span)
        rows: list[Row] = []
        for name, members in by_label.items():
            rows.append((f" {visible(name)} \t{len(members)}", styles.get(name, Style(reverse=True)), None))
            rows.extend(("", None, span) for span in members)
        before, self.rows = self.rows, rows
        same_text = text == self._text
        self._text = text
        if self.highlighted is not None and self.highlighted >= len(rows):
            self.highlighted = None
        self._resize_rows()
        if not same_text:
            self.refresh()
            return
        # Repaint only the rows on screen that changed: a tag below them repaints nothing, one in
        # another group only its heading (its count).
        top = self.scroll_offset.y
        for y in range(top, top + self.scrollable_content_region.height):
            old = before[y] if y < len(before) else None
            new = rows[y] if y < len(rows) else None
            if old != new:
                self.refresh_lines(y)

    def _resize_rows(self) -> None:
        """Grow the scroll range in steps of 32 rows: a new size means a new layout of the whole screen
        (12 ms here), which a tag that adds one row should not pay."""
        height = len(self.rows)
        if height > self.scrollable_content_region.height:
            height = -(-height // 32) * 32
        if self.virtual_size.height != height:
            self.virtual_size = Size(self.scrollable_content_region.width, height)

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        text, chip, span = self.rows[index]
        if span is not None:
            text = visible(" ".join(self._text[span.start : span.end].split()))
        if chip is not None:
            name, count = text.split("\t")
            segments = [Segment(name, base + chip), Segment(f" {count}", base + Style(dim=True))]
        else:
            style = base + Style(reverse=True) if index == self.highlighted and self.has_focus else base
            segments = [Segment("  " + text, style)]
        return Strip(segments).crop_extend(0, width, base)

    def on_resize(self) -> None:
        self._resize_rows()

    def _entries(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row[2] is not None]

    def action_step(self, delta: int) -> None:
        entries = self._entries()
        if not entries:
            return
        if self.highlighted not in entries:
            target = entries[0] if delta > 0 else entries[-1]
        else:
            position = entries.index(self.highlighted) + delta
            target = entries[min(max(position, 0), len(entries) - 1)]
        self.highlighted = target
        keep_row_visible(self, target)
        self.refresh()

    def action_choose(self) -> None:
        if self.highlighted is not None and self.rows[self.highlighted][2] is not None:
            span = self.rows[self.highlighted][2]
            assert span is not None
            self.post_message(self.Chosen(span))

    def on_click(self, event: events.Click) -> None:
        region = self.scrollable_content_region
        row = event.y - (region.y - self.region.y) + self.scroll_offset.y
        if 0 <= row < len(self.rows) and self.rows[row][2] is not None:
            self.highlighted = row
            self.refresh()
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
