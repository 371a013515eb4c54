"""The threads behind the screens: look-ups that never delay a keystroke, loading the KB, ordering a review.

Each posts its answers as messages (``annotator.tui.messages``) to the screen that started it;
``post_message`` is safe from any thread. An answer for a screen already gone (or an app that has
closed) is dropped.

A ``Lookup`` answers only the latest question. The screen asks (``ask``) on every selection change;
while one answer is being computed, newer questions replace older waiting ones. A question may wait
``delay`` seconds first, and a newer question restarts the wait: while the keys come faster than that
(shift+right held down), nothing is computed. That matters beyond the answer's own cost: a Python
thread computing holds the interpreter lock the UI thread needs.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from textual.message import Message
from textual.message_pump import MessagePump

from annotator.agreement import review_order
from annotator.store import Store
from annotator.tui.messages import (
    KbFailed,
    KbLoaded,
    LookupFailed,
    ModelRetrained,
    ReviewOrdered,
    ReviewOrderFailed,
)

Q = TypeVar("Q")
A = TypeVar("A")


def post(target: MessagePump, message: Message) -> None:
    """Post ``message`` to ``target`` from a worker thread; nothing if the app or the screen has gone."""
    with contextlib.suppress(RuntimeError):  # no app any more (Textual's NoActiveAppError), or no loop
        target.post_message(message)


class Lookup(Generic[Q, A]):
    """A thread that computes ``answer(question)`` and posts ``answered(question, answer)`` to ``target``;
    an answer that raises is posted as ``LookupFailed``."""

    def __init__(
        self,
        answer: Callable[[Q], A],
        answered: Callable[[Q, A], Message],
        target: MessagePump,
        name: str,
    ) -> None:
        self._answer = answer
        self._answered = answered
        self._target = target
        self._waiting: list[Q] = []
        self._due = 0.0
        self._ready = threading.Condition()
        self._closed = False
        self._answering = False
        self.answers = 0
        """Answers posted so far (not the failures)."""
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """Whether a question waits (its delay running or not) or is being answered: until the answer to
        the latest question is posted (``answers`` counts it first). For what waits for the answers, a
        test or a benchmark."""
        with self._ready:
            return bool(self._waiting) or self._answering

    def ask(self, question: Q, delay: float = 0.0) -> None:
        with self._ready:
            self._waiting[:] = [question]
            self._due = time.monotonic() + delay
            self._ready.notify()

    def hurry(self) -> None:
        """The question waiting, if one does, is answered now (its delay is over)."""
        with self._ready:
            self._due = 0.0
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
                self._answering = True
            try:
                answer = self._answer(question)
            except Exception as err:  # shown to the user; the thread goes on answering
                post(self._target, LookupFailed(err))
                self._done(answered=False)
                continue
            post(self._target, self._answered(question, answer))
            self._done(answered=True)

    def _done(self, answered: bool) -> None:
        with self._ready:
            self.answers += answered
            self._answering = False


def load_kb(db_path: Path, target: MessagePump, layer: str, from_others: bool) -> None:
    """In a thread: open (or build, the first time) the KB index, with what the learning sources of
    ``layer`` teach (``annotator.kb.learning_layers``); ``KbLoaded`` or ``KbFailed`` follows."""

    def run() -> None:
        from annotator.kb import KnowledgeBase, learning_layers  # numpy: not before the first frame

        try:
            with Store(db_path) as store:  # this thread's own connection
                layers = learning_layers(layer, store.layers.kinds(), from_others)
                read_at = time.monotonic()  # the learned mentions are read first, then the index
                kb = KnowledgeBase.load(store.kb, layers=layers)
        except Exception as err:
            post(target, KbFailed(err))
            return
        post(target, KbLoaded(kb, read_at))

    threading.Thread(target=run, name="kb-load", daemon=True).start()


def order_review(db_path: Path, target: MessagePump) -> None:
    """In a thread, on a connection of its own: the review order (every finished document's agreement,
    0.7 s at 10,000 documents of 3 layers); ``ReviewOrdered`` or ``ReviewOrderFailed`` follows."""

    def run() -> None:
        try:
            with Store(db_path) as own:
                order = review_order(own.teams.review_counts())
        except Exception as err:
            post(target, ReviewOrderFailed(err))
            return
        post(target, ReviewOrdered(order))

    threading.Thread(target=run, name="review-order", daemon=True).start()


class Retrainer:
    """Retrains a user's proposal model in the background: ``annotator train`` in a child process (its
    own interpreter, so training never holds the lock the UI thread needs), watched by a thread that
    posts ``ModelRetrained`` when it ends. One at a time: a request while one runs starts one more after
    it (the newest finished documents count), however many requests came meanwhile."""

    def __init__(self, db_path: Path, user: str, target: MessagePump) -> None:
        self._db_path = db_path
        self._user = user
        self._target = target
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self.runs = 0
        """Retrains finished (for tests and the status)."""

    @property
    def running(self) -> bool:
        return self._running

    def request(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="model-retrain", daemon=True).start()

    def _run(self) -> None:
        while True:
            post(self._target, self._train_once())
            with self._lock:
                self.runs += 1
                if not self._again:
                    self._running = False
                    return
                self._again = False

    def _train_once(self) -> ModelRetrained:
        command = [sys.executable, "-m", "annotator", "--db", str(self._db_path), "--user", self._user]
        command.append("train")
        nice = shutil.which("nice")
        if nice is not None:  # below the screen's priority: on two cores the keys still come first
            command = [nice, "-n", "15", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            return ModelRetrained(None, "", str(err))
        lines = done.stdout.strip().splitlines()
        error = done.stderr.strip().splitlines()[-1] if done.returncode and done.stderr.strip() else None
        try:
            with Store(self._db_path) as store:  # this thread's own connection
                model = store.models.current(self._user)
        except Exception as err:
            return ModelRetrained(None, "", str(err))
        return ModelRetrained(model, lines[-1] if lines else "", error)
