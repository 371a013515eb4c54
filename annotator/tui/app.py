"""The one factory that builds the app, for the command line, the tests and the snapshots."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from annotator.store import Store
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.help import HelpScreen


class AnnotatorApp(App[None]):
    TITLE = "annotator"
    ALLOW_SELECT = False
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, store: Store, user: str, doc_key: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.doc_key = doc_key

    def on_mount(self) -> None:
        doc_ids = self.store.document_ids()
        index = doc_ids.index(self.store.document_id(self.doc_key)) if self.doc_key else 0
        self.push_screen(AnnotateScreen(self.store, self.user, doc_ids, index))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def make_app(store: Store, user: str, doc_key: str | None = None) -> AnnotatorApp:
    return AnnotatorApp(store, user, doc_key)
