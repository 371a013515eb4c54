"""The thread a screen hands its writes to, so that no key waits on the database's write lock.

One thread with its own connection runs the writes in the order they were handed in, each as one
transaction. A write that finds the lock taken (an import swapping its documents in, another annotator's
commit, a backup) is tried again until :data:`PATIENCE_S` has passed; meanwhile it is *pending* and the
screen says so. A write that fails (still locked after that, a full disk, a span another window removed)
is said to the screen, and every write handed in after it is refused until the screen has shown the
database as it is again (:meth:`Writer.acknowledge`): an undo queued behind a tag that failed must not undo
an older step instead.

No Textual here: the screens and ``bench/concurrency.py`` use the same class.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from annotator.errors import AnnotatorError
from annotator.store import Store

T = TypeVar("T")

PATIENCE_S = 60.0
"""How long a write keeps trying to get the write lock before it fails and the screen says so."""
FIRST_ATTEMPT_MS = 10
"""How long a write's first try waits for the lock: another annotator's commit takes a millisecond; past
this the lock is held for long (an import swapping its documents in), and a key waiting on its write
learns that it will be pending."""
ATTEMPT_MS = 200
"""How long each later try waits for the lock before the thread looks again at the patience left."""


class WriteFailed(Exception):
    """A write that was not saved: ``reason`` says why, in words for the status line."""

    def __init__(self, reason: str, *, changed_elsewhere: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.changed_elsewhere = changed_elsewhere
        """The edit acted on a state that another window changed meanwhile (not a lock or a disk)."""


@dataclass(eq=False)
class Write(Generic[T]):
    """One write handed to the :class:`Writer`: ``what`` it is (said while it is pending or if it
    fails), and once done its result or its failure."""

    what: str
    job: Callable[[Store], T]
    submitted: float = field(default_factory=time.monotonic)
    committed: float | None = None
    """``time.monotonic()`` when it was committed."""
    waiting: bool = False
    """It found the write lock taken at least once (another program is writing)."""
    _done: threading.Event = field(default_factory=threading.Event)
    _answered: threading.Event = field(default_factory=threading.Event)
    """Set once it is done, or once it found the lock taken (then it will not be done soon)."""
    _result: T | None = None
    _failure: WriteFailed | None = None
    _listeners: list[Callable[[Write[T]], None]] = field(default_factory=list)

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for it to be done; True when it is."""
        return self._done.wait(timeout)

    def wait_unless_locked(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for it to be done, no longer than it takes to find the lock
        taken (its first try waits :data:`FIRST_ATTEMPT_MS` for it); True when it is done."""
        self._answered.wait(timeout)
        return self.done()

    def result(self) -> T:
        """What the job returned; raises :class:`WriteFailed` when it was not saved (only once done)."""
        assert self.done(), "result() of a write still pending"
        if self._failure is not None:
            raise self._failure
        return self._result  # type: ignore[return-value]

    @property
    def failure(self) -> WriteFailed | None:
        return self._failure

    def on_done(self, listener: Callable[[Write[T]], None]) -> None:
        """Call ``listener(write)`` once it is done (at once if it is; else in the writer's thread)."""
        with _LISTENING:
            if not self.done():
                self._listeners.append(listener)
                return
        listener(self)

    def _finish(self, result: T | None, failure: WriteFailed | None) -> None:
        with _LISTENING:
            self._result, self._failure = result, failure
            self.committed = time.monotonic() if failure is None else None
            self._done.set()
            self._answered.set()
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener(self)


_LISTENING = threading.Lock()


def is_locked(err: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED: another connection has the write lock (worth trying again)."""
    reason = str(err)
    return "locked" in reason or "busy" in reason


class Writer:
    """A thread with its own connection to ``path`` that runs :meth:`submit`-ted writes in order."""

    def __init__(self, path: Path, patience_s: float = PATIENCE_S) -> None:
        self.patience_s = patience_s
        self.failed_count = 0
        """How many writes have failed so far (refused ones not counted)."""
        self.failures: list[Write[object]] = []
        """Writes that failed and that no screen has said yet (:meth:`acknowledge` clears them): what
        the command line says on leaving."""
        self._store = Store(path, create=False)
        self._queue: deque[Write[object]] = deque()
        self._ready = threading.Condition()
        self._refusing: WriteFailed | None = None
        self._closed = False
        self._running: Write[object] | None = None
        self._thread = threading.Thread(target=self._run, name="writer", daemon=True)
        self._thread.start()

    def submit(self, what: str, job: Callable[[Store], T]) -> Write[T]:
        """Hand in ``job(store)``, run in one transaction after every write handed in before it."""
        write: Write[T] = Write(what, job)
        with self._ready:
            refusing = self._refusing
            if refusing is None and self._closed:
                refusing = WriteFailed("the screen was closing")
            if refusing is None:
                self._queue.append(write)  # type: ignore[arg-type]
                self._ready.notify()
                return write
        write._finish(None, WriteFailed(f"not tried: {refusing.reason} (an earlier change)"))
        return write

    def acknowledge(self) -> None:
        """The screen has said a write failed and shows the database as it is: take writes again."""
        with self._ready:
            self._refusing = None
            self.failures.clear()

    def pending(self) -> int:
        """Writes handed in and not yet done."""
        with self._ready:
            return len(self._queue) + (self._running is not None)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every write handed in so far is done; False if ``timeout`` passed first."""
        with self._ready:
            last = self._queue[-1] if self._queue else self._running
        return last is None or last.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Finish the writes handed in (waiting up to ``timeout``, by default each its patience), then
        stop the thread and close the connection. Later writes are refused."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._store.close()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                write = self._running = self._queue.popleft()
            failure: WriteFailed | None = None
            result: object = None
            try:
                result = self._attempt(write)
            except WriteFailed as err:
                failure = err
            with self._ready:
                self._running = None
                refused: list[Write[object]] = []
                if failure is not None:
                    self._refusing = failure
                    self.failed_count += 1
                    self.failures.append(write)
                    refused, self._queue = list(self._queue), deque()
            write._finish(result, failure)
            for later in refused:
                later._finish(None, WriteFailed(f"not tried: {failure} (an earlier change)"))

    def _attempt(self, write: Write[object]) -> object:
        """Run the job in one transaction, again while the lock is taken, until the patience is spent."""
        deadline = write.submitted + self.patience_s
        while True:
            self._store.conn.execute(
                f"PRAGMA busy_timeout = {ATTEMPT_MS if write.waiting else FIRST_ATTEMPT_MS}"
            )
            try:
                with self._store.transaction():
                    return write.job(self._store)
            except sqlite3.OperationalError as err:
                if not is_locked(err):
                    raise WriteFailed(str(err)) from None
                if time.monotonic() >= deadline:
                    raise WriteFailed(
                        f"{err}: another program held the database for {self.patience_s:.0f} s"
                    ) from None
                write.waiting = True
                write._answered.set()
            except sqlite3.Error as err:
                raise WriteFailed(str(err)) from None
            except AnnotatorError as err:
                raise WriteFailed(err.reason, changed_elsewhere=True) from None
