"""A screen whose writes go through the app's writer thread (``annotator.store.writer``), so that a key
is answered at once whoever holds the database's write lock.

A key's write gets :data:`WRITE_WAIT_S` to commit: on a free database (nearly always) the screen shows
the edit in the same frame, as when it wrote itself. Past that, or as soon as the writer finds the lock
taken for more than a few milliseconds, the key returns, the status line says the
change is pending (and, when the lock is taken, that another program is writing), and the edit is shown
once it is committed, writes in the order they were made. The article shows only what is in the database:
what is pending is said, not drawn. A write that fails is said plainly, with what the screen shows now
(the database's state, read again), and nothing handed in after it is tried.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text

from annotator.literal import literal
from annotator.store import Store
from annotator.store.writer import Write, Writer
from annotator.tui.messages import WriteDone
from annotator.tui.screens.article_screen import ArticleScreen
from annotator.tui.screens.guards import while_shown
from annotator.tui.workers import post

T = TypeVar("T")

WRITE_WAIT_S = 0.04
"""How long a key waits for its write before the screen shows it as pending (never longer)."""
PENDING_LOOK_S = 0.3
"""How soon the status line looks again whether a pending write is waiting on the lock."""


class WritingScreen(ArticleScreen):
    def __init__(self) -> None:
        super().__init__()
        self._writes: deque[tuple[Write[Any], Callable[[Any], object] | None]] = deque()
        """Writes handed in and not yet shown, oldest first, each with what shows it."""

    @property
    def writer(self) -> Writer:
        writer: Writer = getattr(self.app, "writer")  # noqa: B009  (AnnotatorApp's; no import cycle)
        return writer

    @property
    def writes_pending(self) -> int:
        return len(self._writes)

    def write(self, what: str, job: Callable[[Store], T], shown: Callable[[T], object] | None = None) -> None:
        """Hand ``job(store)`` to the writer (one transaction, after every earlier write) and, once it is
        committed, call ``shown(result)``: at once when it commits within :data:`WRITE_WAIT_S` and nothing
        is pending, else when it does. ``what`` names it while pending or if it fails."""
        write = self.writer.submit(what, job)
        if not self._writes and write.wait_unless_locked(WRITE_WAIT_S):
            self._show_write(write, shown)
            return
        self._writes.append((write, shown))
        write.on_done(lambda _write: post(self, WriteDone()))
        self.set_timer(PENDING_LOOK_S, self._show_status)
        self._show_status()

    @while_shown
    def on_write_done(self, message: WriteDone) -> None:
        message.stop()
        while self._writes and self._writes[0][0].done():
            write, shown = self._writes.popleft()
            self._show_write(write, shown)
        self._show_status()

    def _show_write(self, write: Write[T], shown: Callable[[T], object] | None) -> None:
        failure = write.failure
        if failure is None:
            if shown is not None:
                shown(write.result())
            return
        later = len(self._writes)  # refused by the writer after this one failed: all done
        self._writes.clear()
        self.writer.acknowledge()
        self._show_database()
        more = f" and {later} later change{'s' * (later != 1)}" if later else ""
        if failure.changed_elsewhere:
            message = f"Not saved: {failure.reason}; it changed in another window, shown as it is now"
            if later:
                message += f" ({later} later change{'s' * (later != 1)} not tried)"
        else:
            message = f"Not saved: {write.what}{more} ({failure.reason}). The screen shows what is saved."
            self.notify(literal(message), severity="error", timeout=8, markup=False)
        self.say_failed(message)

    def _show_database(self) -> None:
        """After a write failed: show what the database has (the screen must equal it)."""

    def pending_note(self) -> Text | None:
        """What the status line says while writes are pending; None when none is."""
        if not self._writes:
            return None
        first = self._writes[0][0]
        count = len(self._writes)
        said = f"saving {first.what}…" if count == 1 else f"saving {count} changes…"
        if any(write.waiting for write, _ in self._writes):
            said += " (waiting: another program is writing to the database)"
        return Text(literal(said), style="bold yellow")
