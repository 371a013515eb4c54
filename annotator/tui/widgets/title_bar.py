"""The one-line title above the article: pieces that do not fit the width are left out whole, the least
needed first, so nothing is cut mid-word at 80 columns."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from annotator.tui.widgets.one_line import OneLineText

GAP = "  "


def fit(pieces: Sequence[tuple[Text, int]], width: int) -> Text:
    """The pieces ``(text, rank)`` in their order, without those of the highest ranks (the least needed)
    until the rest fits ``width`` cells."""
    kept = list(pieces)
    while len(kept) > 1 and sum(p.cell_len for p, _ in kept) + len(GAP) * (len(kept) - 1) > width:
        kept.remove(max(kept, key=lambda piece: piece[1]))
    return Text(GAP).join(p for p, _ in kept)


class TitleBar(OneLineText):
    DEFAULT_CSS = "TitleBar { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pieces: list[tuple[Text, int]] = []

    def fitted(self, width: int) -> Text:
        return fit(self.pieces, width)

    def show(self, pieces: Sequence[tuple[Text, int]]) -> None:
        if list(pieces) != self.pieces:
            self.pieces = list(pieces)
            self.changed()
