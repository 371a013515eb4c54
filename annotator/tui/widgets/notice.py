"""A widget's word for the status line: why a key did nothing there (an empty list, its last row)."""

from __future__ import annotations

from textual.message import Message


class Notice(Message):
    """Bubbles up to the screen, which says ``text`` in the status line until the next key."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
