"""The entity panel: this document's spans grouped by label, with counts; choosing one jumps to it.

Like the article, it renders only its visible rows (a document can hold thousands of spans, and an
option list re-measured every row on every change: 75 ms per tag at 2,000 spans).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.keymap import ENTITY_PANEL
from annotator.literal import visible
from annotator.model import Label, Span
from annotator.tui.article_layout import span_order
from annotator.tui.bindings import key_bindings
from annotator.tui.widgets.article import keep_row_visible
from annotator.tui.widgets.frame_style import FrameStyle
from annotator.tui.widgets.notice import Notice
from annotator.tui.widgets.wrapping import wrapped

Row = tuple[str, Style | None, Span | None, int]
"""A heading's text and the style of its label chip (the chip is the text up to its count), or an
entity: its first span, and how many times the document has it (same label, same words)."""


class EntityPanel(FrameStyle, ScrollView, can_focus=True):
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
        self._groups: dict[str, dict[str, list[Span]]] = {}
        """Per label, its entities (words) in the order of their first place, each with its spans."""
        self._label_rows: dict[str, list[Row]] = {}
        """Per label, its heading and entity rows (built again only for the labels an edit touched)."""
        self._shown: tuple[Sequence[Span], Sequence[Label], dict[str, Style]] = ((), (), {})
        self._next: dict[int, int] = {}
        """Per entity row, which of its occurrences Enter jumps to next."""
        self._lines: list[tuple[int, int]] = []
        """The panel's lines on screen, top to bottom: (row, which of the row's lines); an entity whose
        words do not fit the width takes more than one (wrapped between words, never cut off)."""
        self._lines_width = 0
        self._parts: dict[tuple[str, int, int], int] = {}
        """How many lines an entity too wide for its line takes, by its words, count and width."""

    def show(
        self, text: str, spans: Sequence[Span], labels: Sequence[Label], styles: dict[str, Style]
    ) -> None:
        """List the distinct entities (label and words) under their labels, with how many times each
        occurs; text from the article is shown as plain, visible text."""
        self._shown = (spans, labels, styles)
        if text != self._text:
            self._words = {}
        self._groups = {label.name: {} for label in labels}
        for span in spans:
            self._groups.setdefault(span.label, {}).setdefault(self._said(text, span), []).append(span)
        self._label_rows = {}
        self._show_rows(text, self._groups)

    def change(self, spans: Sequence[Span], removed: Sequence[Span], added: Sequence[Span]) -> None:
        """What ``show`` with the new ``spans`` lists, after an edit that removed and added these: only
        the entities of the labels it touched are grouped again (a tag among 2,000 spans: one entity
        looked up, not 2,000)."""
        text, (_, labels, styles) = self._text, self._shown
        if any(span.label not in self._groups for span in added):
            self.show(text, spans, labels, styles)  # a label the project does not have: in span order
            return
        self._shown = (spans, labels, styles)
        touched: dict[str, dict[str, list[Span]]] = {}
        for span in removed:
            entities = self._groups.get(span.label, {})
            said = self._said(text, span)
            members = entities.get(said, [])
            kept = [m for m in members if (m.start, m.end) != (span.start, span.end)]
            if len(kept) == len(members):
                continue
            if kept:
                entities[said] = kept
            else:
                del entities[said]
            touched[span.label] = entities
        for span in added:
            entities = self._groups[span.label]
            bisect.insort(entities.setdefault(self._said(text, span), []), span, key=span_order)
            touched[span.label] = entities
        for name, entities in touched.items():  # the entities in the order of their first place
            self._groups[name] = dict(sorted(entities.items(), key=lambda item: span_order(item[1][0])))
        self._show_rows(text, touched)

    def _said(self, text: str, span: Span) -> str:
        """The words of a span's range as the panel shows them (kept: a tag looks up one)."""
        key = (span.start, span.end)
        said = self._words.get(key)
        if said is None:
            said = self._words[key] = visible(" ".join(text[span.start : span.end].split()))
        return said

    def _show_rows(self, text: str, changed: dict[str, dict[str, list[Span]]]) -> None:
        """The rows again, those of the labels ``changed`` built anew; repaint what changed on screen."""
        styles = self._shown[2]
        needle = self.filter.casefold()
        for name in changed:
            entities = self._groups[name]
            shown = (
                {w: members for w, members in entities.items() if needle in w.casefold()}
                if needle
                else entities
            )
            count = sum(len(m) for m in entities.values())
            heading = f" {visible(name)} \t{count}"
            if needle and entities:
                heading += f" ({len(shown)} of {len(entities)} shown)"
            self._label_rows[name] = [
                (heading, styles.get(name, Style(reverse=True)), None, 0),
                *((said, None, members[0], len(members)) for said, members in shown.items()),
            ]
        rows = [row for name in self._groups for row in self._label_rows[name]]
        before = [self.rows[row] + (part,) for row, part in self._lines]
        self.rows = rows
        self._lay_out_lines()
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
        after = [rows[row] + (part,) for row, part in self._lines]
        for y in range(top, top + self.scrollable_content_region.height):
            old = before[y] if y < len(before) else None
            new = after[y] if y < len(after) else None
            if old != new:
                self.refresh_lines(y)

    def _room(self) -> int:
        return max(self.scrollable_content_region.width - 2, 1)

    def _entity_lines(self, row: Row, style: Style | None, room: int | None = None) -> list[list[Segment]]:
        """An entity row's words and count as lines of the panel's width (``room``: the panel's, read
        once by a caller that asks for many rows), broken between words."""
        text, _chip, _span, count = row
        room = self._room() if room is None else room
        times = f" ×{count}" if count > 1 else ""
        pieces = [(text, style), (times, Style(dim=True))]
        if cell_len(text) + len(times) <= room:
            return wrapped(pieces, room, self.app.console)
        # its second and later lines indented two more, so they read as the same entity
        return wrapped(pieces, max(room - 2, 1), self.app.console)

    def _lay_out_lines(self) -> None:
        self._lines_width = width = self._room()
        lines: list[tuple[int, int]] = []
        laid_out = self.scrollable_content_region.width > 2  # not before the panel has its size
        known = self._parts
        for index, row in enumerate(self.rows):
            text, chip, _span, count = row
            if not laid_out or chip is not None:
                lines.append((index, 0))
                continue
            # kept by words, count and width: a tag lays out every row again, and few change
            parts = known.get((text, count, width))
            if parts is None:
                fits = cell_len(text) + (len(f" ×{count}") if count > 1 else 0) <= width
                parts = known[text, count, width] = 1 if fits else len(self._entity_lines(row, None, width))
            if parts == 1:
                lines.append((index, 0))
            else:
                lines.extend((index, part) for part in range(parts))
        self._lines = lines
        self._resize_rows()

    def _first_line(self, row: int) -> int:
        return next((y for y, (index, _part) in enumerate(self._lines) if index == row), 0)

    def set_filter(self, needle: str) -> None:
        self.filter = needle
        self.highlighted = None
        self._next = {}
        self.show(self._text, *self._shown)
        # Text, not a str: a str title is read as markup, and the filter is what the user typed ("[/]")
        self.border_title = Text(f"Entities: “{visible(needle)}”") if needle else "Entities"
        self.refresh()

    def action_filter(self) -> None:
        self.post_message(self.FilterAsked())

    def _resize_rows(self) -> None:
        """Grow the scroll range in steps of 32 rows: a new size means a new layout of the whole screen
        (12 ms here), which a tag that adds one row should not pay."""
        height = len(self._lines)
        if height > self.scrollable_content_region.height:
            height = -(-height // 32) * 32
        if self.virtual_size.height != height:
            self.virtual_size = Size(self.scrollable_content_region.width, height)

    def render_line(self, y: int) -> Strip:
        if self._room() != self._lines_width:  # a scroll bar came or went: no resize event says so
            self._lay_out_lines()
            self.refresh()
        line = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.base_style
        if line >= len(self._lines):
            return Strip.blank(width, base)
        index, part = self._lines[line]
        row = self.rows[index]
        text, chip, _span, _count = row
        if chip is not None:
            name, total = text.split("\t")
            segments = [Segment(name, base + chip), Segment(f" {total}", base + Style(dim=True))]
        else:
            chosen = Style(reverse=True) if index == self.highlighted and self.has_focus else None
            lines = self._entity_lines(row, chosen)
            piece = lines[min(part, len(lines) - 1)]
            indent = "    " if part else "  "
            segments = [Segment(indent, base), *(Segment(s.text, base + s.style) for s in piece)]
        return Strip(segments).crop_extend(0, width, base)

    def on_resize(self) -> None:
        if self._room() != self._lines_width:
            self._lay_out_lines()
            self.refresh()
        else:
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
        keep_row_visible(self, self._first_line(target))
        self.refresh()

    def action_choose(self) -> None:
        """Jump to the entity's first occurrence; Enter again on it: the next one, and round."""
        if self.highlighted is None or self.rows[self.highlighted][2] is None:
            self.post_message(Notice("Choose an entity first (↑↓)"))
            return
        text, _chip, span, _count = self.rows[self.highlighted]
        assert span is not None
        label = span.label
        members = self._groups.get(label, {}).get(text, [span])
        nth = self._next.get(self.highlighted, 0) % len(members)
        self._next = {self.highlighted: nth + 1}
        self.post_message(self.Chosen(members[nth]))
        if len(members) > 1:
            self.post_message(Notice(f"{text}: {nth + 1} of {len(members)} (Enter: the next)"))

    def on_click(self, event: events.Click) -> None:
        region = self.scrollable_content_region
        line = event.y - (region.y - self.region.y) + self.scroll_offset.y
        row = self._lines[line][0] if 0 <= line < len(self._lines) else -1
        if 0 <= row < len(self.rows) and self.rows[row][2] is not None:
            self.highlighted = row
            self.refresh()
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
