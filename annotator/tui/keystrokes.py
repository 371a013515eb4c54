"""What a screen does with the rhythm of the keys: count the time spent, and collect garbage in the pauses."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE_CAP_S = 120.0
"""A pause longer than this between keys counts as this long: time away is not time spent."""
IDLE_COLLECT_S = 1.0
"""The garbage collector runs once the keys have paused this long (and at least every 30 s)."""
COLLECT_EVERY_S = 30.0

Every = Callable[[float, Callable[[], None]], object]
"""Call a function every so many seconds on the UI thread (``Screen.set_interval``)."""


class TimeSpent:
    """Seconds spent on the open document and keys pressed there not yet saved: the time between keys,
    each gap capped."""

    def __init__(self) -> None:
        self._last_key = time.monotonic()
        self.unsaved = 0.0
        self.keys = 0

    def key(self, now: float) -> None:
        self.unsaved += min(now - self._last_key, IDLE_CAP_S)
        self._last_key = now
        self.keys += 1

    def save(self, write: Callable[[float, int], None]) -> None:
        """``write`` the unsaved seconds and keys (once there is a second or a key); kept if ``write``
        raises."""
        if self.unsaved >= 1 or self.keys:
            write(self.unsaved, self.keys)
            self.unsaved = 0.0
            self.keys = 0


class IdleCollector:
    """The garbage collector, run only when the keys pause.

    Python's automatic full collections took 15-60 ms here (a long article, its spans, the KB's learned
    names, Textual's caches) and landed on keystrokes. While a screen is up the collector runs when the
    keys pause (1 s), and at least every 30 s; reference counting frees everything else at once.
    """

    def __init__(self) -> None:
        self._last_key = time.monotonic()
        self._collected = False

    def start(self, every: Every) -> None:
        gc.disable()
        self._collected = False
        every(IDLE_COLLECT_S / 2, self._collect_if_idle)
        every(COLLECT_EVERY_S, self.collect)

    def key(self, now: float) -> None:
        self._collected = False
        self._last_key = now

    def stop(self) -> None:
        gc.enable()

    def _collect_if_idle(self) -> None:
        if not self._collected and time.monotonic() - self._last_key >= IDLE_COLLECT_S:
            self.collect()

    def collect(self) -> None:
        gc.collect()
        self._collected = True
