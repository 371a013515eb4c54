"""Printing shared by the commands: a late progress bar, titled tables, durations, notes on stderr.
Rich is imported only when something is drawn."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import click


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
    """A Rich table whose title stays on one line however narrow the columns are."""
    from rich.table import Table

    return Table(title=title, title_justify="left", min_width=len(title))


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def say(message: str) -> None:
    """A note on stderr about slow work under way (building the KB index)."""
    click.echo(f"annotator: {message}...", err=True)
