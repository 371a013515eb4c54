"""The help screen: every key of the screen below it, read from the live bindings (so remaps show)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from annotator.keymap import HELP
from annotator.literal import literal
from annotator.tui.bindings import key_bindings

PROMPT_KEYS = (
    ("enter", "Go to the match (search) or filter (entities); the keys go back"),
    ("escape", "Close the prompt, nothing done"),
)
"""The prompt's keys (an input line: every other key types)."""


def section_title(node: DOMNode) -> str:
    """Where a section's keys work: everywhere, on this screen whatever has the focus, or in one panel."""
    if node is node.app:
        return "Everywhere"
    if isinstance(node, Screen):
        return f"{getattr(node, 'HELP_TITLE', 'This screen')}: whatever has the focus"
    return f"{getattr(node, 'HELP_TITLE', type(node).__name__)}"


def key_table(app_node: DOMNode, node: DOMNode, notes: Mapping[str, str] | None = None) -> Table:
    """One row per action of ``node``'s own bindings (those with an id), with every key bound to it;
    ``notes`` by binding id: a line said after the action's description (a label's, from the
    guidelines)."""
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 2))
    table.add_column(style="bold", min_width=12)
    table.add_column()
    keymap = app_node.app._keymap  # what the user remapped (Textual applies it to a node lazily)
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
            note = (notes or {}).get(binding.id)
            described[binding.action] = (
                f"{binding.description}: {literal(note)}" if note else binding.description
            )
    for action, keys in keys_for.items():
        shown = ", ".join(app_node.app.get_key_display(Binding(k, "")) for k in keys)
        table.add_row(Text(shown), Text(described[action]))
    return table


def key_sections(
    app_node: DOMNode, nodes: list[DOMNode], notes: Mapping[str, str] | None = None
) -> list[tuple[str, Table]]:
    """A section per node (the screen, each panel, the app): where its keys work, and the keys; then the
    prompt's. A key in two sections means one thing in each place (``1``: a label in the article, a
    suggestion in the suggestions panel). ``notes``: see :func:`key_table`."""
    sections = [(section_title(node), key_table(app_node, node, notes)) for node in nodes]
    prompt = Table(box=None, show_header=False, padding=(0, 1, 0, 2))
    prompt.add_column(style="bold", min_width=12)
    prompt.add_column()
    for key, description in PROMPT_KEYS:
        prompt.add_row(Text(app_node.app.get_key_display(Binding(key, ""))), Text(description))
    sections.append(("Search and filter prompt (/, f): every other key types", prompt))
    return sections


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 72; max-width: 96%; max-height: 90%; border: round $primary; }
    HelpScreen > VerticalScroll { background: $surface; }
    HelpScreen .section { margin-top: 1; }
    """
    BINDINGS = key_bindings(HELP)

    def __init__(self, under: Screen[object], notes: Mapping[str, str] | None = None) -> None:
        """``notes``: a line by binding id said after its description (each label's, from the
        guidelines: ``annotator.guidelines``)."""
        super().__init__()
        self.under = under
        self.notes = notes or {}

    def compose(self) -> ComposeResult:
        panels = [w for w in self.under.query("*") if _has_own_bindings(w) and w.display]
        nodes: list[DOMNode] = [self.under, *panels, self.app]
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (Esc closes)"
            for title, table in key_sections(self, nodes, self.notes):
                yield Static(Text(title, "bold underline"), classes="section")
                yield Static(table)


def _has_own_bindings(node: DOMNode) -> bool:
    return any(b.id for bindings in node._bindings.key_to_bindings.values() for b in bindings)
