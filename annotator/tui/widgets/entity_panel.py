"""The entity panel: this document's spans grouped by label, with counts; choosing one jumps to it.

Like the article, it renders only its visible rows (a document can hold thousands of spans, and an
option list re-measured every row on every change: 75 ms per tag at 2,000 spans).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.keymap import ENTITY_PANEL
from annotator.model import Label, Span
from annotator.tui.bindings import key_bindings
from annotator.tui.widgets.article import keep_row_visible
from annotator.tui.widgets.article_lines import visible
from annotator.tui.widgets.notice import Notice

Row = tuple[str, Style | None, Span | None, int]
"""A heading's text and the style of its label chip (the chip is the text up to its count), or an
entity: its first span, and how many times the document has it (same label, same words)."""


class EntityPanel(ScrollView, can_focus=True):
    ALLOW_SELECT = False
    HELP_TITLE = "Entities panel (Tab to it)"
    DEFAULT_CSS = """
    EntityPanel { border: round $primary 50%; border-title-color: $text; overflow-x: hidden; }
    EntityPanel:focus { border: heavy $accent; border-title-style: bold; }
    """
    BINDINGS = key_bindings(ENTITY_PANEL)

    class Chosen(Message):
        def __init__(self, span: Span) -> None:
            super().__init__()
            self.span = span

    class FilterAsked(Message):
        """The annotator wants to type a filter (the screen's prompt asks for it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Entities"
        self.rows: list[Row] = []
        self.highlighted: int | None = None
        self.filter = ""
        """Only entities whose words hold this (any case) are listed."""
        self._text = ""
        self._words: dict[tuple[int, int], str] = {}
        """The words of each span's range in this text (kept between calls: a tag looks up one)."""
        self._occurrences: dict[tuple[str, str], list[Span]] = {}
        self._shown: tuple[Sequence[Span], Sequence[Label], dict[str, Style]] = ((), (), {})
        self._next: dict[int, int] = {}
        """Per entity row, which of its occurrences Enter jumps to next."""

    def show(
        self, text: str, spans: Sequence[Span], labels: Sequence[Label], styles: dict[str, Style]
    ) -> None:
        """List the distinct entities (label and words) under their labels, with how many times each
        occurs; text from the article is shown as plain, visible text."""
        self._shown = (spans, labels, styles)
        if text != self._text:
            self._words = {}
        words = self._words
        by_label: dict[str, dict[str, list[Span]]] = {label.name: {} for label in labels}
        for span in spans:
            key = (span.start, span.end)
            said = words.get(key)
            if said is None:
                said = words[key] = visible(" ".join(text[span.start : span.end].split()))
            by_label.setdefault(span.label, {}).setdefault(said, []).append(span)
        needle = self.filter.casefold()
        rows: list[Row] = []
        self._occurrences = {}
        for name, entities in by_label.items():
            shown = {w: members for w, members in entities.items() if needle in w.casefold()}
            count = sum(len(m) for m in entities.values())
            heading = f" {name} \t{count}"
            if needle and entities:
                heading += f" ({len(shown)} of {len(entities)} shown)"
            rows.append((heading, styles.get(name, Style(reverse=True)), None, 0))
            for said, members in shown.items():
                self._occurrences[(name, said)] = members
                rows.append((said, None, members[0], len(members)))
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

    def set_filter(self, needle: str) -> None:
        self.filter = needle
        self.highlighted = None
        self._next = {}
        self.show(self._text, *self._shown)
        self.border_title = f"Entities: “{visible(needle)}”" if needle else "Entities"
        self.refresh()

    def action_filter(self) -> None:
        self.post_message(self.FilterAsked())

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
        text, chip, _span, count = self.rows[index]
        if chip is not None:
            name, total = text.split("\t")
            segments = [Segment(name, base + chip), Segment(f" {total}", base + Style(dim=True))]
        else:
            style = base + Style(reverse=True) if index == self.highlighted and self.has_focus else base
            times = f" ×{count}" if count > 1 else ""
            room = width - 2 - len(times)
            shown = text if cell_len(text) <= room else text[: max(room - 1, 1)] + "…"
            segments = [Segment("  " + shown, style), Segment(times, base + Style(dim=True))]
        return Strip(segments).crop_extend(0, width, base)

    def on_resize(self) -> None:
        self._resize_rows()

    def _entries(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row[2] is not None]

    def action_step(self, delta: int) -> None:
        entries = self._entries()
        if not entries:
            self.post_message(Notice("No entities in this document yet (Esc: back to the article)"))
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
        """Jump to the entity's first occurrence; Enter again on it: the next one, and round."""
        if self.highlighted is None or self.rows[self.highlighted][2] is None:
            self.post_message(Notice("Choose an entity first (↑↓)"))
            return
        text, _chip, span, _count = self.rows[self.highlighted]
        assert span is not None
        label = span.label
        members = self._occurrences.get((label, text), [span])
        nth = self._next.get(self.highlighted, 0) % len(members)
        self._next = {self.highlighted: nth + 1}
        self.post_message(self.Chosen(members[nth]))
        if len(members) > 1:
            self.post_message(Notice(f"{text}: {nth + 1} of {len(members)} (Enter: the next)"))

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
