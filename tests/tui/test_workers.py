"""A look-up thread says when it is busy: a question waiting (its delay running) or being answered, until
its answer is posted; ``hurry`` ends a waiting question's delay."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.message import Message

from annotator.tui.workers import Lookup


class _Target:
    """Stands for a screen: keeps what is posted to it (from the look-up thread)."""

    def __init__(self) -> None:
        self.posted: list[Message] = []

    def post_message(self, message: Message) -> bool:
        self.posted.append(message)
        return True


class _Answered(Message):
    def __init__(self, question: int, answer: int) -> None:
        super().__init__()
        self.answer = answer


def _soon(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.005)


def test_busy_from_the_question_to_its_answer_posted_and_hurry_ends_the_delay() -> None:
    release = threading.Event()
    started = threading.Event()

    def answer(question: int) -> int:
        started.set()
        release.wait(10)
        return question * 2

    target = _Target()
    lookup: Lookup[int, int] = Lookup(answer, _Answered, target, "test-lookup")  # type: ignore[arg-type]
    try:
        assert not lookup.busy and lookup.answers == 0
        lookup.ask(21, delay=3600)
        assert lookup.busy  # waiting out its delay
        time.sleep(0.05)
        assert not started.is_set()
        lookup.hurry()
        assert started.wait(10)
        assert lookup.busy and lookup.answers == 0  # being answered
        release.set()
        _soon(lambda: not lookup.busy)
        assert lookup.answers == 1
        assert [m.answer for m in target.posted] == [42]  # type: ignore[attr-defined]
    finally:
        release.set()
        lookup.close()


def test_a_failed_answer_is_not_counted_and_leaves_it_idle() -> None:
    def answer(question: int) -> int:
        raise ValueError("no")

    target = _Target()
    lookup: Lookup[int, int] = Lookup(answer, _Answered, target, "test-lookup")  # type: ignore[arg-type]
    try:
        lookup.ask(1)
        _soon(lambda: bool(target.posted) and not lookup.busy)
        assert lookup.answers == 0
        assert type(target.posted[0]).__name__ == "LookupFailed"
    finally:
        lookup.close()
