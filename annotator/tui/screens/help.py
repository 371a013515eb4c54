"""The help screen: every key of the screen below it, read from the live bindings (so remaps show)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from annotator.keymap import HELP
from annotator.tui.bindings import key_bindings


def key_table(app_node: DOMNode, nodes: list[DOMNode]) -> Table:
    """One row per action of our own bindings (those with an id), with every key bound to it."""
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    keymap = app_node.app._keymap  # what the user remapped (Textual applies it to a node lazily)
    for node in nodes:
        keys_for: dict[str, list[str]] = {}
        described: dict[str, str] = {}
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if binding.id is None or not binding.description:
                    continue
                keys = keys_for.setdefault(binding.action, [])
                for remapped in keymap[binding.id].split(",") if binding.id in keymap else [key]:
                    if remapped not in keys:
                        keys.append(remapped)
                described[binding.action] = binding.description
        for action, keys in keys_for.items():
            shown = ", ".join(app_node.app.get_key_display(Binding(k, "")) for k in keys)
            table.add_row(Text(shown), Text(described[action]))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 64; max-height: 90%; border: round $primary; background: $surface; }
    """
    BINDINGS = key_bindings(HELP)

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        nodes: list[DOMNode] = [
            *(w for w in self.under.query("*") if _has_own_bindings(w)),
            self.under,
            self.app,
        ]
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (Esc closes)"
            yield Static(key_table(self, nodes))


def _has_own_bindings(node: DOMNode) -> bool:
    return any(b.id for bindings in node._bindings.key_to_bindings.values() for b in bindings)
