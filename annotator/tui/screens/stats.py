"""The statistics screen (``S``): each annotator's progress, then their days as ``annotator stats --daily``
prints them (documents done, spans per label, time and keys per span, bars and sparklines: the same
:class:`annotator.daily_chart.DailyChart`), fitted to the terminal's width."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.daily_chart import DailyChart, duration
from annotator.keymap import HELP
from annotator.literal import literal
from annotator.store import Store
from annotator.tui.bindings import key_bindings

PROGRESS_WIDTH = 10
NOTHING_YET = "Nothing done yet: no document marked done, no span, no time counted."


def progress_bar(share: float) -> str:
    """``share`` (0-1) of :data:`PROGRESS_WIDTH` cells filled."""
    filled = round(PROGRESS_WIDTH * share)
    return "█" * filled + "░" * (PROGRESS_WIDTH - filled)


def progress_table(stats: dict[str, Any]) -> Table:
    """A row per layer of ``store.progress.stats()``: documents done of all, a bar, in progress, time."""
    shown = Table(
        title=Text(f"{stats['documents']} documents, {stats['spans']} spans"),
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    for header in ("layer", "done", "", "open", "spans", "time"):
        shown.add_column(Text(header), justify="left" if header in ("layer", "") else "right")
    for name, layer in stats["layers"].items():
        shown.add_row(
            Text(literal(name)),
            Text(f"{layer['documents_done']} of {stats['documents']}"),
            Text(f"{progress_bar(layer['progress'])} {layer['progress']:.0%}"),
            Text(str(layer["documents_in_progress"])),
            Text(str(layer["spans"])),
            Text(duration(layer["seconds"])),
        )
    return shown


class StatsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    StatsScreen { align: center middle; }
    StatsScreen > VerticalScroll { width: 100%; max-width: 110; height: auto; max-height: 100%;
                                   border: round $primary; background: $surface; padding: 0 1; }
    StatsScreen .chart { margin-top: 1; }
    """
    BINDINGS = key_bindings(HELP)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        stats = self.store.progress.stats()
        daily = self.store.progress.daily()
        with VerticalScroll() as scroll:
            scroll.border_title = "Statistics (Esc closes, arrows scroll)"
            yield Static(progress_table(stats), id="progress")
            if not daily:
                yield Static(Text(NOTHING_YET), classes="chart")
            for layer, days in daily.items():
                yield Static(DailyChart(layer, days), classes="chart")
