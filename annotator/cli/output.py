"""Printing shared by the commands: a late progress bar, titled tables, durations, notes on stderr.
Rich is imported only when something is drawn.

This is the command line's one way to the terminal: every line goes through :func:`echo` (or
:func:`echo_json`), every table through :func:`table` and :func:`console`, so that every string from
the data (keys, layer and label names, texts, file names) is made literal (``annotator.literal``) and
Rich reads no markup, emoji code or highlighting into it. Only an export to standard output is written
as it is: that is the file's bytes, not a message.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import click

from annotator.daily_chart import duration as duration  # the charts show durations too
from annotator.literal import literal, literal_json, literal_line


def echo(message: str, err: bool = False) -> None:
    """One message (or several lines) on stdout or stderr, every character that could act spelled out."""
    click.echo(literal_line(message), err=err)


def echo_error(message: str) -> None:
    """The one line of an error on stderr: everything in it spelled out, line breaks too."""
    click.echo(f"annotator: error: {literal(message)}", err=True)


def echo_json(encoded: str) -> None:
    """A JSON document or line on stdout, the characters a terminal acts on as JSON escapes."""
    click.echo(literal_json(encoded))


def console(stderr: bool = False) -> Any:
    """A Rich console that reads no markup, emoji codes or highlighting into what it prints."""
    from rich.console import Console

    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def table(title: str | None = None, **options: Any) -> Any:
    """A Rich table whose title, headers and cells are literal text (see :func:`literal`)."""
    from rich.table import Table
    from rich.text import Text

    class LiteralTable(Table):
        def add_column(self, header: Any = "", *args: Any, **kwargs: Any) -> None:
            super().add_column(_text(header), *args, **kwargs)

        def add_row(self, *renderables: Any, **kwargs: Any) -> None:
            super().add_row(*(_text(r) for r in renderables), **kwargs)

    def _text(value: Any) -> Any:
        return Text(literal(value)) if isinstance(value, str) else value

    return LiteralTable(title=None if title is None else Text(literal(title)), **options)


class LateProgress:
    """A progress bar on stderr that appears only once the work has taken more than a second."""

    def __init__(self, total: int, description: str) -> None:
        self.total = total
        self.description = description
        self.done = 0
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._off = not sys.stderr.isatty()

    def __call__(self, amount: int) -> None:
        self.done += amount
        if self._off:
            return
        if self._bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total)
        self._bar.update(self._task, completed=self.done)

    def advance(self, amount: int, total: int) -> None:
        """Count ``amount`` more done, of a ``total`` the work learns as it goes."""
        self.total = total
        self(amount)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


class PhaseProgress:
    """Long work in named phases, on stderr from its start: on a terminal one bar whose line names the
    phase and counts it (``adding places  120,000/235,419``; a phase with no count yet pulses), else one
    line as each phase starts (its steps, ``phase: step``, only on the terminal). :meth:`close` before
    printing anything else."""

    def __init__(self) -> None:
        self.phase_name = ""
        self._bar: Any = None
        self._task: Any = None
        self._on_terminal = sys.stderr.isatty()

    def phase(self, name: str, done: int = 0, total: int = 0) -> None:
        """At ``done`` of ``total`` in phase ``name`` (``total`` 0: not known)."""
        new = name != self.phase_name
        if new and not self._on_terminal and name.split(":")[0] != self.phase_name.split(":")[0]:
            say(name.split(":")[0])
        self.phase_name = name
        if not self._on_terminal:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
        if new:  # a task of its own: a phase without a count pulses, whatever the last one counted
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(literal(name), total=total or None, completed=done)
        else:
            self._bar.update(self._task, completed=done, total=total or None)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None


@contextlib.contextmanager
def still_working(message: str) -> Iterator[None]:
    """Work that reports no steps: a spinner with ``message`` on a terminal, else one line on stderr."""
    if not sys.stderr.isatty():
        say(message)
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


def titled_table(title: str) -> Any:
    """A literal :func:`table` whose title stays on one line however narrow the columns are."""
    return table(title, title_justify="left", min_width=len(literal(title)))


def say(message: str) -> None:
    """A note on stderr about slow work under way (building the KB index)."""
    echo(f"annotator: {message}...", err=True)
