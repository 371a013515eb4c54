"""The one-line prompt under the article (search, the entities' filter): hidden until a key asks for it.

Enter and Esc close it at once, in the prompt's own turn: keys typed after them (fast, or pasted) are
already on their way to the prompt, so the prompt hands them on to where the focus is by then (the
article) instead of typing them into itself. ``/word`` Enter ``a`` tags the match, whatever the speed.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events

from annotator.tui.typed_ahead import HandingOnInput


class Prompt(HandingOnInput):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind: str | None = None
        """What the prompt is open for (``search``, ``filter``), None while it is closed."""
        self.answered: Callable[[str, str | None], None] | None = None
        """Called as the prompt closes with what it was for and the text (None: Esc, nothing asked)."""

    def open(self, kind: str, placeholder: str) -> None:
        self.kind = kind
        self.placeholder = placeholder
        self.value = ""
        self.display = True
        self.screen.set_focus(self)  # now, not once the app's queue gets there: keys typed with / follow

    def close(self) -> None:
        self.display = False
        self.kind = None

    async def _on_key(self, event: events.Key) -> None:
        if self.kind is None:  # typed before the prompt closed: for the widget focused now
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            kind, value = self.kind, self.value if event.key == "enter" else None
            self.took(event)
            self.close()
            if self.answered is not None:
                self.answered(kind, value)
            return
        await super()._on_key(event)
