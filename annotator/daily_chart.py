"""Each annotator's days as a chart: ``annotator stats --daily`` prints it, the stats screen (``S``) shows it.

One piece of code for both: :class:`DailyChart` is the Rich renderable of one annotator's days from
``store.progress.daily()``, fitted to the width it is drawn at. Every string from the data (layer and
label names) is made literal (``annotator.literal``) and put in as ``Text``, so Rich reads no markup in
it. Rich is imported only when a chart is drawn (the command line starts without it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotator.literal import literal

SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 8
GAP = 2
"""Cells between two columns of a chart's tables (Rich's padding of one cell on each side)."""


def sparkline(values: list[int]) -> str:
    """One character per value, its height in eighths of the largest (nothing at all shows as a space)."""
    top = max(values, default=0)
    return "".join(" " if v == 0 else SPARKS[min(7, (v * 8 - 1) // top)] for v in values)


def bar(value: float, top: float) -> str:
    """``value`` as a bar of up to :data:`BAR_WIDTH` cells, the full width for ``top``."""
    return "█" * round(BAR_WIDTH * value / top) if top else ""


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def daily_rows(days: Mapping[str, Mapping[str, Any]], labels: list[str]) -> list[list[str]]:
    """A row of cells per day: day, documents done, spans of each of ``labels``, spans, a bar of the
    day's spans, time, seconds and keys per span (``-`` where not known)."""
    top = max((day["spans"] for day in days.values()), default=0)
    rows = []
    for name, day in days.items():
        per_span = [
            "-" if day[key] is None else f"{day[key]:.1f}" for key in ("seconds_per_span", "keys_per_span")
        ]
        counts = [str(day["labels"].get(label, 0)) for label in labels]
        rows.append([
            name, str(day["documents_done"]), *counts, str(day["spans"]), bar(day["spans"], top),
            duration(day["seconds"]), *per_span,
        ])  # fmt: skip
    return rows


def _width(headers: list[str], rows: list[list[str]]) -> int:
    """The cells a table of these headers and rows needs, every cell on one line."""
    from rich.cells import cell_len

    columns = [max(cell_len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    return sum(columns) + GAP * (len(columns) - 1)


def _table(title: str, headers: list[str], rows: list[list[str]], left: tuple[str, ...]) -> Any:
    from rich.table import Table
    from rich.text import Text

    shown = Table(title=Text(title), title_justify="left", box=None, pad_edge=False)
    for header in headers:
        wraps = header == "per day"  # a sparkline of many days folds rather than be cut
        if header in left:
            shown.add_column(Text(header), justify="left", no_wrap=not wraps)
        else:
            shown.add_column(Text(header), justify="right", no_wrap=not wraps)
    for row in rows:
        shown.add_row(*(Text(cell) for cell in row))
    return shown


class DailyChart:
    """One annotator's days (``store.progress.daily()[layer]``) as a Rich renderable: a row per day with
    documents done, spans per label, a bar of the day's spans, time, seconds and keys per span, under a
    title with a sparkline of spans per day.

    Fitted to the width it is drawn at: where the spans per label do not fit beside the rest, they are a
    second table, a row per label with its total, a sparkline of it per day and a bar. Nothing is cut,
    at 80 columns with any label set.
    """

    def __init__(self, layer: str, days: Mapping[str, Mapping[str, Any]]) -> None:
        self.layer = layer
        self.days = days

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield self.fitted(options.max_width)

    def fitted(self, width: int) -> Any:
        from rich.console import Group

        days = self.days
        labels = list(next(iter(days.values()))["labels"]) if days else []
        spans = [day["spans"] for day in days.values()]
        title = f"{literal(self.layer)}: spans per day {sparkline(spans)}"
        names = [literal(label) for label in labels]
        headers = ["day", "done", *names, "spans", "", "time", "s/span", "k/span"]
        rows = daily_rows(days, labels)
        if _width(headers, rows) <= width:
            return _table(title, headers, rows, ("day", ""))
        first = 2 + len(labels)
        without = [row[:2] + row[first:] for row in rows]
        totals = [sum(day["labels"].get(label, 0) for day in days.values()) for label in labels]
        per_label = [
            [name, str(total), sparkline([day["labels"].get(label, 0) for day in days.values()]),
             bar(total, max(totals))]
            for name, label, total in zip(names, labels, totals, strict=True)
        ]  # fmt: skip
        return Group(
            _table(title, ["day", "done", *headers[first:]], without, ("day", "")),
            _table(
                "spans per label, all days",
                ["label", "spans", "per day", ""],
                per_label,
                ("label", "per day", ""),
            ),
        )
