"""The footer: help and quit always, the focused panel's keys (its name first, so the focus shows), then
the screen's own keys for as many as fit whole; read from the live bindings, so remapped keys show."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from annotator.keymap import key_actions
from annotator.tui.widgets.one_line import OneLineText

GAP = "  "
FOOTER_WORDS = {action.id: action.footer for action in key_actions() if action.footer}
"""A panel key's words in the footer, by binding id."""
KEY_STYLE = Style(bold=True, color="black", bgcolor="#e0c060")


def key_item(keys: str, words: str) -> Text:
    return Text.assemble((f" {keys} ", KEY_STYLE), f" {words}")


def fit_items(always: list[Text], others: list[Text], width: int) -> Text:
    """``others`` in order as far as they fit whole, then ``always`` at the end (never left out)."""
    room = width - sum(t.cell_len for t in always) - len(GAP) * len(always)
    kept: list[Text] = []
    for item in others:
        if item.cell_len + len(GAP) > room:
            break
        kept.append(item)
        room -= item.cell_len + len(GAP)
    line = Text(GAP).join(kept)
    line.append(" " * max(room, 0) + GAP)
    return line + Text(GAP).join(always)


class KeyFooter(OneLineText):
    DEFAULT_CSS = "KeyFooter { height: 1; dock: bottom; background: $panel; }"
    UNMEASURED_WIDTH = 200

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.changed()

    def items(self) -> tuple[list[Text], list[Text]]:
        """What is always shown (the app's keys: help, quit), and the rest in order: the focused panel's
        keys under its name, then the screen's."""
        app, screen = self.app, self.screen
        focused = screen.focused
        always: list[Text] = []
        panel: list[tuple[str, list[str]]] = []
        own: list[Text] = []
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding, node = active.binding, active.node
            if binding.id is None or binding.id in seen:
                continue
            shown = app.get_key_display(Binding(key, ""))
            if node is app and binding.show:
                seen.add(binding.id)
                always.append(key_item(shown, binding.description))
            elif node is focused and node is not screen and binding.id in FOOTER_WORDS:
                seen.add(binding.id)
                words = FOOTER_WORDS[binding.id]
                if panel and panel[-1][0] == words:
                    panel[-1][1].append(shown)
                else:
                    panel.append((words, [shown]))
            elif node is screen and binding.show:
                seen.add(binding.id)
                own.append(key_item(shown, binding.description))
        others: list[Text] = []
        if panel and focused is not None:
            title = panel_title(focused) or type(focused).__name__
            others.append(Text(f"{title}:", "bold reverse"))
            others.extend(key_item(_joined(keys), words) for words, keys in panel)
        return always, [*others, *own]

    def fitted(self, width: int) -> Text:
        always, others = self.items()
        return fit_items(always, others, width)


def panel_title(widget: object) -> str:
    """A panel's border title as the text it shows (Textual hands it back as markup, brackets escaped)."""
    title = getattr(widget, "border_title", None)
    return Text.from_markup(title).plain if title else ""


def _joined(keys: list[str]) -> str:
    """Keys that do one thing: ``↑↓``; a run of digits as ``1-9``."""
    if len(keys) > 2 and all(k.isdigit() for k in keys):
        return f"{keys[0]}-{keys[-1]}"
    return "".join(keys) if all(len(k) == 1 for k in keys) else "/".join(keys)
