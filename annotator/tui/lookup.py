"""A background thread that answers only the latest question: look-ups never delay a keystroke.

The screen asks (``ask``) on every selection change; while one answer is being computed, newer
questions replace older waiting ones, and each answer is handed back on the UI thread by ``deliver``.
A question may wait ``delay`` seconds first, and a newer question restarts the wait: while the keys
come faster than that (shift+right held down), nothing is computed. That matters beyond the
answer's own cost: a Python thread computing holds the interpreter lock the UI thread needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Q = TypeVar("Q")
A = TypeVar("A")


class Lookup(Generic[Q, A]):
    def __init__(
        self,
        answer: Callable[[Q], A],
        deliver: Callable[[Q, A], None],
        failed: Callable[[Q, Exception], None],
        name: str,
    ) -> None:
        self._answer = answer
        self._deliver = deliver
        self._failed = failed
        self._waiting: list[Q] = []
        self._due = 0.0
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def ask(self, question: Q, delay: float = 0.0) -> None:
        with self._ready:
            self._waiting[:] = [question]
            self._due = time.monotonic() + delay
            self._ready.notify()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._closed and (not self._waiting or time.monotonic() < self._due):
                    self._ready.wait(max(self._due - time.monotonic(), 0) if self._waiting else None)
                if self._closed:
                    return
                question = self._waiting.pop()
            try:
                try:
                    answer = self._answer(question)
                except Exception as err:  # shown to the user; the thread goes on answering
                    self._failed(question, err)
                    continue
                self._deliver(question, answer)
            except RuntimeError:  # the app has gone away while we were answering
                return
