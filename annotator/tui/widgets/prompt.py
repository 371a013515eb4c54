"""The one-line prompt under the article (search, go to a document): hidden until a key asks for it."""

from __future__ import annotations

from textual.widgets import Input


class Prompt(Input):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind: str | None = None
        """What the prompt is open for (``search``, ``goto``), None while it is closed."""

    def open(self, kind: str, placeholder: str) -> None:
        self.kind = kind
        self.placeholder = placeholder
        self.value = ""
        self.display = True
        self.focus()

    def close(self) -> None:
        self.display = False
        self.kind = None
