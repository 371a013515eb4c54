"""The annotation guidelines on screen: the Markdown file ``annotator.toml`` names (``guidelines``)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from annotator.keymap import HELP
from annotator.literal import literal, visible
from annotator.tui.bindings import key_bindings


class GuidelinesScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    GuidelinesScreen { align: center middle; }
    GuidelinesScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $primary;
                                        background: $surface; }
    """
    BINDINGS = key_bindings(HELP)

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = Text(f"{literal(self.path.name)} (Esc closes)")  # a str is markup
            yield Markdown(shown_as_text(self.path.read_text(encoding="utf-8", errors="replace")))


def shown_as_text(markdown: str) -> str:
    """The guidelines with every character a terminal would act on (an escape sequence, a bidi override)
    as its one-cell picture, as article text is shown; tabs kept, since Markdown indents with them (line
    ends are already ``\\n``: ``read_text`` reads universal newlines)."""
    return "\t".join(visible(part) for part in markdown.split("\t"))
