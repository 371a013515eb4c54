"""Keys typed ahead reach what is on screen once the keys before them have acted.

Textual hands each key to the widget focused when the key is read from the terminal, and runs a key's
binding only once the key has come back up to the app. Keys that arrive in one write with a key that
opens a screen or a prompt (``graw`` over SSH, ``/abc``, ``?`` then Esc, vim's ``gg`` within 30 ms) were
all handed to the article before the first had acted: the document list's filter lost them, and ``/abc``
tagged ``a`` as an ACTOR under the open prompt. Here a key that comes back to the app after the focus
or the screen changed since it was read is read again, as if typed now, by what has the focus now; an
input that is no longer focused hands on a key it is given (``HandingOnInput``), so the keys after Enter
or Esc in the document list go back to the article. What opens for keys takes the focus at once
(``Screen.set_focus``, not ``Widget.focus``, which moves it only once the app's queue gets there).

Textual types a character in the input's own turn but runs a key's binding (Backspace, Delete, the arrows,
Home and End are the input's bindings) only once the key has bubbled back up to the app, through the
queue of every widget between: a character read after a Backspace reached the input before that Backspace
had come back to the app, and was typed first (``raw``, Backspace three times and ``csi`` in two writes
read ``rcs``; in one write ``raw`` stayed). An input here runs its own bindings in its turn, in the order
the keys came, as it types characters.

The article runs its own bindings in its own turn too (:class:`OwnKeysAtOnce`), when no key before
is still on its way: a page down then waits for no container's queue.

Keys count where they act (:class:`CountsKeys`), once each: in the input that takes them, or where they
come back to the app and were not handed on; a key handed on is counted where it acts then.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    _Widget = Widget
else:
    _Widget = object  # a mixin, no DOM class: Textual takes a widget's CSS from its first DOM base

HOLD_CHECK_S = 0.005
"""How often held keys look whether the screen they wait for has mounted (it takes a few milliseconds)."""


class CountsKeys:
    """A screen that counts the keys that act on it (its inputs' keys too)."""

    def key_pressed(self, event: events.Key) -> None:
        """``event`` acts on this screen now (called once per key, before any binding of it runs)."""


class TypedAhead(App[None]):
    """Mixed into the app: every key goes to what the keys before it left focused."""

    def __init__(self) -> None:
        super().__init__()
        self._typed_for: weakref.WeakKeyDictionary[events.Key, Widget] = weakref.WeakKeyDictionary()
        """Each key read, and the widget (or screen) it was handed to then."""
        self._held: deque[events.Key] = deque()
        """Keys read while the screen on top was not mounted yet, in order (see :meth:`on_event`)."""

    def _key_target(self) -> Widget:
        screen = self.screen
        return screen.focused or screen

    async def on_event(self, event: events.Event) -> None:
        """A key read is handed to what has the focus, unless the screen on top has not mounted yet:
        then it waits, with the keys after it, until the screen has (and has put the focus where its keys
        go): keys handed to the bare screen would take a longer way to its input than those after them."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held or not self.screen.is_mounted:
                self._held.append(event)
                if len(self._held) == 1:
                    self.set_timer(HOLD_CHECK_S, self._release)
                return
            self._typed_for[event] = self._key_target()
        await super().on_event(event)

    def _release(self) -> None:
        if not self.screen.is_mounted:
            self.set_timer(HOLD_CHECK_S, self._release)
            return
        self.call_later(self._read_held)

    async def _read_held(self) -> None:
        """The held keys read again, in order, in the app's turn: keys read since the timer fired were
        held behind them, those read after this are read after them."""
        while self._held and self.screen.is_mounted:
            key = self._held.popleft()
            self._typed_for[key] = self._key_target()
            await super().on_event(key)  # the app's own bindings (ctrl+q) first, as for any key
        if self._held:
            self.set_timer(HOLD_CHECK_S, self._release)

    def first_in_line(self, event: events.Key) -> bool:
        """Whether ``event`` is the only key read and not yet acted on (none is held, none is on its
        way through the queues): acting on it now keeps the keys in order."""
        return not self._held and len(self._typed_for) == 1 and event in self._typed_for

    def typed_for_elsewhere(self, event: events.Key) -> bool:
        """Whether ``event`` was handed on before the focus or the screen changed: it is for what has
        the focus now (the screen it went through counts it there, not here)."""
        target = self._typed_for.get(event)
        return target is not None and target is not self._key_target()

    async def _on_key(self, event: events.Key) -> None:
        """Before ``App._on_key`` (the bindings), which Textual calls next unless the key was handed on."""
        if self.typed_for_elsewhere(event):
            self.hand_on(event)
        else:
            self.counted(event, self.screen)

    @staticmethod
    def counted(event: events.Key, screen: object) -> None:
        """``event`` acts on ``screen``: the screen counts it if it counts keys."""
        if isinstance(screen, CountsKeys):
            screen.key_pressed(event)

    def hand_on(self, event: events.Key) -> None:
        """``event`` again, as a key typed now: behind what the keys before it asked for (a focus moved
        later, a screen mounted), to what has the focus then."""
        event.stop()
        event.prevent_default()
        self.post_message(events.Key(event.key, event.character))


async def run_own_binding(widget: Widget, key: str) -> bool:
    """Run ``widget``'s own binding of ``key`` (as the app would once the key came back up to it, the
    keymap applied), if the focused widget is ``widget``: whether one ran. Priority bindings ran as
    the key was read."""
    for namespace, bindings in widget.screen._modal_binding_chain[:1]:
        if namespace is not widget:
            return False
        for binding in bindings.key_to_bindings.get(key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, widget):
                return True
    return False


def has_own_binding(widget: Widget, key: str) -> bool:
    """Whether ``widget`` (focused) has a binding of its own for ``key``, not a priority one."""
    for namespace, bindings in widget.screen._modal_binding_chain[:1]:
        if namespace is widget:
            return any(not binding.priority for binding in bindings.key_to_bindings.get(key, ()))
    return False


class OwnKeysAtOnce(_Widget):
    """A focused widget that runs its own bindings in its own turn: Textual runs a binding only once
    the key has come back up to the app, through the queue of every container between (a turn of the
    event loop each, 1-3 ms of a page down on a loaded machine). Only for a key that is the only one
    on its way (so keys still act in the order they came), read for this widget while it has the
    focus; the screen counts it first, as where it comes back to the app."""

    async def _on_key(self, event: events.Key) -> None:
        app = self.app
        if (
            isinstance(app, TypedAhead)
            and app.focused is self
            and app.first_in_line(event)
            and not app.typed_for_elsewhere(event)
            and has_own_binding(self, event.key)
        ):
            event.stop()
            event.prevent_default()
            TypedAhead.counted(event, self.screen)
            await run_own_binding(self, event.key)
            return
        await super()._on_key(event)


class HandingOnInput(Input):
    """An input that types only the keys it was given while focused: keys typed ahead after the Enter
    or Esc that closed it go to what has the focus now. Its own bindings (Backspace, the arrows) act in
    its turn, in order with the characters typed (see the module's docstring); the keys it takes are
    counted by its screen."""

    async def _on_key(self, event: events.Key) -> None:
        app = self.app
        if isinstance(app, TypedAhead) and app.focused is not self:
            app.hand_on(event)
            return
        await super()._on_key(event)  # types a character
        if not event.is_printable and await run_own_binding(self, event.key):
            event.stop()
            event.prevent_default()
        if event._stop_propagation:
            self.took(event)

    def took(self, event: events.Key) -> None:
        """``event`` acted here: counted by the screen (the keys it lets by are counted where they act)."""
        TypedAhead.counted(event, self.screen)
