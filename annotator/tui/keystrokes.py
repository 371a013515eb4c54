"""What a screen does with the rhythm of the keys: count the time spent, and collect garbage in the pauses."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE_CAP_S = 120.0
"""A pause longer than this between keys counts as this long: time away is not time spent."""
IDLE_COLLECT_S = 1.0
"""What the screen made since the last freeze is collected once the keys have paused this long."""
FULL_AFTER_YOUNG = 100
"""While a screen is up, a full collection is considered after this many of the middle generation's
(Python's default is 10: one every 5 s of keys here, 15-40 ms each); the pauses collect meanwhile."""

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
    """The garbage collector while a screen is up: never a full pass over the heap while keys come.

    Python's full collections traverse every object tracked; with the gazetteer loaded that is millions
    (its names and entries, the article, its spans, Textual's widgets), 0.1-6 s each. What lives as long as
    the screen is frozen (``gc.freeze``) when the screen starts, once the KB has loaded and whenever the
    keys pause (1 s: what was made since the last freeze is collected first, then what survives frozen),
    so a collection traverses only what was made since the last pause; the young generations stay
    automatic (they free the cycles each key makes at once, a fraction of a millisecond each). Objects
    frozen while alive that later die in a cycle are freed when the screen goes (``stop`` unfreezes);
    those without a cycle are freed at once as always (reference counting).
    """

    def __init__(self) -> None:
        self._last_key = time.monotonic()
        self._collected = False
        self._thresholds = gc.get_threshold()

    def start(self, every: Every) -> None:
        gc.enable()
        self._thresholds = gc.get_threshold()
        gc.set_threshold(self._thresholds[0], self._thresholds[1], FULL_AFTER_YOUNG)
        self.freeze()
        every(IDLE_COLLECT_S / 2, self._collect_if_idle)

    def freeze(self) -> None:
        """Move what lives now out of every later collection (call once a big long-lived load is in:
        the KB); the young generations are collected first, so little garbage is kept with it."""
        gc.collect(1)
        gc.freeze()

    def key(self, now: float) -> None:
        self._collected = False
        self._last_key = now

    def stop(self) -> None:
        """The screen has gone: what it froze is collected as usual again."""
        gc.set_threshold(*self._thresholds)
        gc.unfreeze()

    def _collect_if_idle(self) -> None:
        if not self._collected and time.monotonic() - self._last_key >= IDLE_COLLECT_S:
            self.collect()

    def collect(self) -> None:
        """The keys have paused: collect what was made since the last freeze, and freeze what
        survives, so the collections between the next keys traverse only what those keys make."""
        gc.collect()
        gc.freeze()
        self._collected = True
