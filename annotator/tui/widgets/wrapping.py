"""Rows of a side panel wrapped to its width between words, so nothing is cut off at the edge."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

Piece = tuple[str, Style | None]
"""Plain text (never markup) and its style."""


def wrapped(pieces: Sequence[Piece], width: int, console: Console) -> list[list[Segment]]:
    """``pieces`` as lines of at most ``width`` cells, broken between words (a word longer than a line
    is broken where the line ends)."""
    if sum(cell_len(piece) for piece, _ in pieces) <= width:  # the usual case: no wrapping to do
        return [[Segment(piece, style) for piece, style in pieces if piece]]
    text = Text.assemble(*((piece, style) if style else piece for piece, style in pieces))
    text.no_wrap = False
    lines = []
    for line in text.wrap(console, width, overflow="fold"):
        line.rstrip()
        lines.append([s for s in line.render(console) if s.text != "\n"])
    return lines or [[]]
