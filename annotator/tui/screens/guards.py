"""What keeps a screen's actions and message handlers from closing the app: a refused write is said on
screen, a worker's answer for a screen being taken down is dropped."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from textual.screen import Screen

from annotator.errors import AnnotatorError
from annotator.literal import literal

F = TypeVar("F", bound=Callable[..., Any])


class EditingScreen(Protocol):
    """What :func:`saving` needs of a screen."""

    def notify(
        self, message: str, *, severity: Any = ..., timeout: float | None = ..., markup: bool = ...
    ) -> None: ...

    def say_failed(self, message: str) -> None: ...

    def _reload_spans(self) -> None: ...


def saving(method: F) -> F:
    """A write the database refuses (locked past the busy timeout by another writer, a full disk) or an
    edit of a state that is gone (a span another window of the same layer removed meanwhile) is said in
    the status line and changes nothing: the screen shows the layer as it is on disk again, and the
    app goes on (an exception in an action would close it)."""

    @functools.wraps(method)
    def guarded(self: EditingScreen, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as err:
            message = f"Not saved: {err}. Nothing changed; try again."
            self.notify(literal(message), severity="error", timeout=8, markup=False)
            self.say_failed(message)
            return None
        except AnnotatorError as err:
            self._reload_spans()
            self.say_failed(f"Not saved: {err.reason}; it changed in another window, shown as it is now")
            return None

    return guarded  # type: ignore[return-value]


def while_shown(handler: F) -> F:
    """A worker's answer that arrives while the screen is being taken down (its widgets already
    removed) is dropped."""

    @functools.wraps(handler)
    def guarded(self: Screen[None], *args: Any, **kwargs: Any) -> Any:
        if self.is_mounted and self.is_attached:
            return handler(self, *args, **kwargs)
        return None

    return guarded  # type: ignore[return-value]
