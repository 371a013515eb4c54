"""The annotation guidelines on screen: the Markdown file ``annotator.toml`` names (``guidelines``)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from annotator.keymap import HELP
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
            scroll.border_title = f"{self.path.name} (Esc closes)"
            yield Markdown(self.path.read_text(encoding="utf-8", errors="replace"))
