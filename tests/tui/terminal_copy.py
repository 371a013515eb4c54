"""What a terminal shows of a Textual app under Pilot: every update the app would write (the compositor's
full layouts and partial chops) applied to a grid of cells as a terminal applies them, so a test can
compare the screen a user sees with what the app would draw from scratch (a stale frame is a difference).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App
from textual.strip import Strip

Cell = tuple[str, Style | None]
UNKNOWN: Cell = ("\x00", None)
"""A cell nothing has been drawn on since the terminal was made or resized."""


class TerminalCopy:
    """The cells a terminal of the app's size shows, kept from the updates the app displays."""

    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.updates = 0
        self.rows: list[list[Cell]] = []
        self._size = (0, 0)
        display = app._display

        def copied(screen, renderable) -> None:  # type: ignore[no-untyped-def]
            # As App._display: nothing is written while a batch is open.
            if isinstance(renderable, CompositorUpdate) and not app._batch_count:
                self.apply(renderable)
            display(screen, renderable)

        app._display = copied  # type: ignore[method-assign]

    def _fit(self) -> None:
        size = (self.app.size.width, self.app.size.height)
        if size != self._size:  # a resized terminal keeps nothing the app can rely on
            self._size = size
            self.rows = [[UNKNOWN] * size[0] for _ in range(size[1])]

    def apply(self, update: CompositorUpdate) -> None:
        """Apply ``update`` as the terminal does with what ``render_segments`` writes."""
        self._fit()
        self.updates += 1
        if isinstance(update, LayoutUpdate):
            for y, line in enumerate(update.strips, update.region.y):
                x = update.region.x
                for strip in line:
                    x = self._write(x, y, strip)
        elif isinstance(update, ChopsUpdate):
            for y, x1, x2 in update.spans:
                for end, (x, strip) in zip(update.chop_ends[y], update.chops[y].items(), strict=False):
                    if strip is None or x > x2 or end <= x1:
                        continue
                    if not (x2 > x >= x1 and end <= x2):
                        strip = strip.crop(0, min(end, x2) - x)
                    self._write(x, y, strip)
        else:
            raise AssertionError(f"an update this copy does not know: {update!r}")

    def _write(self, x: int, y: int, segments: Iterable[Segment]) -> int:
        if not 0 <= y < len(self.rows):
            return x
        row = self.rows[y]
        for segment in segments:
            if segment.control:
                continue
            for char in segment.text:
                width = get_character_cell_size(char)
                if width == 0:
                    if x > 0 and x - 1 < len(row):  # a combining character joins the cell before
                        before = row[x - 1]
                        row[x - 1] = (before[0] + char, before[1])
                    continue
                if 0 <= x < len(row):
                    row[x] = (char, segment.style)
                if width == 2 and 0 <= x + 1 < len(row):
                    row[x + 1] = ("", segment.style)
                x += width
        return x

    def text(self, y: int, x1: int = 0, x2: int | None = None) -> str:
        return "".join(char for char, _ in self.rows[y][x1:x2])

    def lines(self) -> list[str]:
        return [self.text(y) for y in range(len(self.rows))]


def full_render(app: App[object]) -> TerminalCopy:
    """The screen as the compositor draws all of it now (every widget's lines as they would be sent on
    a full redraw), on a fresh grid."""
    fresh = TerminalCopy.__new__(TerminalCopy)
    fresh.app = app
    fresh.updates = 0
    fresh._size = (0, 0)
    fresh.rows = []
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    fresh.apply(update)
    return fresh


def strip_text(strip: Strip) -> str:
    return "".join(segment.text for segment in strip if not segment.control)
