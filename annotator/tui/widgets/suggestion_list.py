"""Suggestions for the selection (knowledge base and earlier annotations), numbered; one key takes one.

The list only shows what the screen gives it: the look-ups run in a worker thread and arrive here when
they are done, so a keystroke never waits for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from annotator.keymap import MAX_SUGGESTIONS, SUGGESTIONS
from annotator.literal import visible
from annotator.tui.bindings import key_bindings
from annotator.tui.widgets.frame_style import FrameStyle
from annotator.tui.widgets.notice import Notice
from annotator.tui.widgets.wrapping import wrapped

if TYPE_CHECKING:
    from annotator.kb import Suggestion

MAX_SHOWN = MAX_SUGGESTIONS
MIN_ENTER_SCORE = 85.0
"""Enter in the article takes the first suggestion only from this score up (a near miss such as
``news conference`` → Scone at 73 is chosen in the list, not by the key that also moves on)."""


@dataclass(frozen=True)
class Shown:
    """What a row needs: a suggestion's canonical name, label, a short description, score, link."""

    name: str
    label: str
    description: str | None
    score: float
    kb_id: str | None
    learned: int = 0

    @classmethod
    def from_suggestion(cls, suggestion: Suggestion) -> Shown:
        s = suggestion
        return cls(s.name, s.label, s.description, s.score, s.kb_id, s.learned)


def takes_first(found: Sequence[Shown]) -> bool:
    """Enter in the article takes the first suggestion: only one close enough."""
    return bool(found) and found[0].score >= MIN_ENTER_SCORE


def suggestions_note(text: str, found: Sequence[Shown], no_index: bool) -> str:
    """The line above the suggestions for the selected ``text``; ``no_index``: the KB has no names yet."""
    shown = visible(text if len(text) <= 24 else text[:23] + "…")  # article text: a bidi override in it
    if found and takes_first(found):
        return f"for “{shown}”: Enter takes ▸"
    if found:
        return f"for “{shown}”: Tab to pick"
    if no_index:
        return "no KB yet: kb add-geonames"
    return f"nothing close to “{shown}”"


class SuggestionList(FrameStyle, Widget, can_focus=True):
    ALLOW_SELECT = False
    HELP_TITLE = "Suggestions panel (Tab to it)"
    DEFAULT_CSS = """
    SuggestionList { height: 13; max-height: 45%; border: round $primary 50%; padding: 0 0; }
    SuggestionList:focus { border: heavy $accent; border-title-style: bold; }
    """
    BINDINGS = key_bindings(SUGGESTIONS)

    class Taken(Message):
        """The annotator chose ``suggestion`` for the selection."""

        def __init__(self, suggestion: Shown) -> None:
            super().__init__()
            self.suggestion = suggestion

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Suggestions"
        self.items: list[Shown] = []
        self.note = "loading the knowledge base…"
        self.proposals = ""
        self.why = ""
        """Why the proposal selected is proposed: its label, source and confidence."""
        self.highlighted = 0
        self._styles: dict[str, Style] = {}
        self._drawn: list[list[Segment]] | None = None
        self._top: tuple[tuple[Any, ...], list[list[Segment]]] | None = None
        """The suggestions' rows and what they were built from."""

    def set_label_styles(self, styles: dict[str, Style]) -> None:
        self._styles = styles
        self._top = None
        self.refresh()

    def show(self, items: Sequence[Shown], note: str) -> None:
        """Rows for the selection (at most nine), with ``note`` above them (what they are for). The same
        rows again draw nothing (a selection that grows past a name keeps saying so on every key)."""
        shown = list(items[:MAX_SHOWN])
        if (shown, note, 0) == (self.items, self.note, self.highlighted):
            return
        self.items = shown
        self.note = note
        self.highlighted = 0
        self.refresh()  # a fixed height: answers arrive between keys, and a new layout costs 12 ms

    def show_proposals(self, text: str, why: str = "") -> None:
        """The proposals line (how many, the keys), and why the selected one is proposed: only the rows
        that change are drawn again (a cursor that lands on a proposal adds a line or two under the
        list, where drawing the whole panel again took 4 ms of a page down)."""
        if (text, why) == (self.proposals, self.why):
            return
        before = self._drawn
        self.proposals, self.why = text, why
        if before is None or not self.is_mounted:
            self.refresh()
            return
        self._drawn = None
        after = self._rows()
        width = self.content_region.width
        for y in range(max(len(before), len(after))):
            if y >= len(before) or y >= len(after) or before[y] != after[y]:
                super().refresh(Region(0, y, width, 1))  # the rows just built stay

    def refresh(self, *args: Any, **kwargs: Any) -> Self:
        self._drawn = None  # whatever changed, the rows are built again (once) for the next frame
        return super().refresh(*args, **kwargs)

    def _rows(self) -> list[list[Segment]]:
        if self._drawn is None:
            self._drawn = self._build_rows()
        return self._drawn

    def _build_rows(self) -> list[list[Segment]]:
        """The rows, wrapped to the width; a suggestion that no longer fits is left out whole, and the
        proposals' line (and why the selected one is proposed) stays at the bottom. The digits show
        only while the list has the focus: in the article the digits tag with the labels; there ``▸``
        marks what Enter takes."""
        base = self.base_style
        dim = base + Style(dim=True)
        width = max(self.content_region.width, 8)
        height = max(self.content_region.height, 1)
        console = self.app.console
        bottom = [[Segment(self.proposals, dim)]] if self.proposals else []
        if self.why:  # why the selected proposal is proposed, under the proposals' line
            bottom += wrapped([(visible(self.why), None)], width, console)
        room = max(height - len(bottom), 1)
        # A tag changes the proposals' line only: the suggestions' rows above it are kept
        key = (width, room, base, self.note, tuple(self.items), self.highlighted, self.has_focus)
        if self._top is None or self._top[0] != key:
            self._top = (key, self._suggestion_rows(width, room, base, dim))
        rows = list(self._top[1])
        if bottom:
            rows.extend([[]] * (room - len(rows)))
            rows.extend(bottom)
        return rows

    def _suggestion_rows(self, width: int, room: int, base: Style, dim: Style) -> list[list[Segment]]:
        """The note and the suggestions, wrapped, as many as fit ``room`` rows."""
        console = self.app.console
        rows = wrapped([(self.note, dim)], width, console)
        for n, item in enumerate(self.items, 1):
            highlight = n - 1 == self.highlighted and self.has_focus
            style = base + Style(reverse=True) if highlight else base
            chip = self._styles.get(item.label, Style(reverse=True))
            mark = "▸ " if n == 1 and takes_first(self.items) else "  "
            number = f"{n} " if self.has_focus else mark
            detail = f"{item.score:.0f}"
            if item.learned:
                detail += f" tagged {item.learned}×"
            if item.description:
                detail += f" {item.description}"
            pieces = [
                (number, base + Style(bold=True)),
                (f" {visible(item.label)} ", base + chip),
                (" ", None),
                (visible(item.name), style),
                (f" {visible(detail)}", dim),
            ]
            lines = wrapped(pieces, width, console)
            if len(rows) + len(lines) > room:
                break
            rows.extend(lines)
        return rows[:room]

    def on_resize(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        rows = self._rows()
        if y >= len(rows):
            return Strip.blank(width, self.base_style)
        return Strip(rows[y]).crop_extend(0, width, self.base_style)

    def action_step(self, delta: int) -> None:
        if not self.items:
            self.post_message(Notice("No suggestions for the selection (Esc: back to the article)"))
            return
        target = min(max(self.highlighted + delta, 0), len(self.items) - 1)
        if target == self.highlighted:
            self.post_message(Notice(f"{'Last' if delta > 0 else 'First'} suggestion"))
        self.highlighted = target
        self.refresh()

    def action_take(self, index: int | None = None) -> None:
        chosen = self.highlighted if index is None else index
        if 0 <= chosen < len(self.items):
            self.post_message(self.Taken(self.items[chosen]))
        else:
            self.post_message(Notice(f"No suggestion {chosen + 1} (there are {len(self.items)})"))

    def on_click(self, event: events.Click) -> None:
        row = event.y - (self.content_region.y - self.region.y)
        if 1 <= row <= len(self.items):
            self.highlighted = row - 1
            self.action_take()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
