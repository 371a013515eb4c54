"""The help screen: every key of the screen below it, read from the live bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 72; max-height: 90%; border: round $primary; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        seen: set[str] = set()
        sources = [self.under, *(w for w in self.under.query("*") if w._bindings), self.app]
        for node in sources:
            for binding in node._bindings.key_to_bindings.values():
                for b in binding:
                    if b.action in seen or not b.description:
                        continue
                    seen.add(b.action)
                    keys = [k for k, bs in node._bindings.key_to_bindings.items() if b in bs]
                    table.add_row(
                        Text(", ".join(self.app.get_key_display(Binding(k, "")) for k in keys)),
                        Text(b.description),
                    )
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            yield Static(table)
