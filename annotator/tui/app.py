"""The one factory that builds the app, for the command line, the tests and the snapshots."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import SystemCommand
from textual.screen import Screen

from annotator.guidelines import label_descriptions
from annotator.keymap import APP, tag_id
from annotator.store import Store
from annotator.store.writer import PATIENCE_S, Writer
from annotator.tui.bindings import key_bindings
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.document import DocumentScreen
from annotator.tui.screens.guidelines import GuidelinesScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.screens.stats import StatsScreen
from annotator.tui.typed_ahead import TypedAhead
from annotator.wording import counted


class AnnotatorApp(TypedAhead):
    TITLE = "annotator"
    ALLOW_SELECT = False
    BINDINGS = key_bindings(APP)

    def __init__(
        self,
        store: Store,
        user: str,
        doc_key: str | None = None,
        review: bool = False,
        learn_from_others: bool = False,
        threshold: float = 0.5,
        use_model: bool = True,
        guidelines: Path | None = None,
        write_patience_s: float = PATIENCE_S,
    ) -> None:
        super().__init__()
        self.writer = Writer(store.path, write_patience_s)
        """The screens' writes: a thread with its own connection (``annotator.store.writer``)."""
        self.guidelines = guidelines
        self.store = store
        self.user = user
        self.doc_key = doc_key
        self.review = review
        self.learn_from_others = learn_from_others
        """``[learning] from_other_annotators``: suggestions learn from other annotators' layers too."""
        self.threshold = threshold
        self.use_model = use_model

    def on_mount(self) -> None:
        if self.review:
            self.push_screen(ReviewScreen(self.store, self.user, self.learn_from_others))
            return
        doc_ids = self.store.teams.document_order(self.user)
        index = doc_ids.index(self.store.documents.id_of(self.doc_key)) if self.doc_key else 0
        self.push_screen(
            AnnotateScreen(
                self.store, self.user, doc_ids, index, self.learn_from_others, self.threshold, self.use_model
            )
        )

    def on_unmount(self) -> None:
        """The writes handed in are finished (or fail, each within its patience) before the app ends."""
        self.writer.close()

    async def action_quit(self) -> None:
        """Quit once every change handed to the writer is saved; if one fails, stay: the screen says
        what failed and shows what is saved, and ``q`` again quits."""
        pending = self.writer.pending()
        if not pending:
            self.exit()
            return
        self.notify(f"Saving {counted(pending, 'change')} before quitting…", timeout=3, markup=False)
        self.run_worker(self._quit_once_saved(self.writer.failed_count), group="quit", exclusive=True)

    async def _quit_once_saved(self, failed: int) -> None:
        """In a worker: the keys go on meanwhile (a key pressed now is saved too before it quits)."""
        while self.writer.pending():
            await asyncio.to_thread(self.writer.flush)
        if self.writer.failed_count == failed:
            self.exit()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action with a key on this screen is in the command palette too."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for node in [*screen.query("*"), screen, self]:
            for bindings in node._bindings.key_to_bindings.values():
                for binding in bindings:
                    if binding.id is None or not binding.description or binding.id in seen:
                        continue
                    seen.add(binding.id)
                    action = partial(node.run_action, binding.action)
                    yield SystemCommand(binding.description, f"{binding.key} ({binding.id})", action)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen, self.label_notes()))

    def label_notes(self) -> dict[str, str]:
        """By tag binding id, the label's one line from the guidelines file (read now: edits show)."""
        labels = getattr(self.screen, "labels", None)
        if self.guidelines is None or not labels:
            return {}
        try:
            markdown = self.guidelines.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return {}  # the file went since the settings were read: help without the lines
        described = label_descriptions(markdown, [label.name for label in labels])
        return {
            tag_id(position): described[label.name]
            for position, label in enumerate(labels)
            if label.name in described
        }

    def action_stats(self) -> None:
        """The statistics screen, with the time spent on the open document counted up to now."""
        if isinstance(self.screen, StatsScreen):
            return
        if isinstance(self.screen, DocumentScreen):
            self.screen._flush_time()
        self.push_screen(StatsScreen(self.store))

    def action_guidelines(self) -> None:
        if isinstance(self.screen, GuidelinesScreen):
            return
        if self.guidelines is None:
            note = 'No guidelines: name a Markdown file in annotator.toml, guidelines = "FILE.md"'
            say = getattr(self.screen, "say", None)
            if say is not None:
                say(note)
            else:
                self.notify(note, markup=False)
            return
        self.push_screen(GuidelinesScreen(self.guidelines))


def make_app(
    store: Store,
    user: str,
    doc_key: str | None = None,
    keymap: dict[str, str] | None = None,
    review: bool = False,
    learn_from_others: bool = False,
    threshold: float = 0.5,
    use_model: bool = True,
    guidelines: Path | None = None,
    write_patience_s: float = PATIENCE_S,
) -> AnnotatorApp:
    """The app for the annotation screen, or (``review``) the review screen into gold; with
    ``learn_from_others``, suggestions learn from other annotators' layers too (annotator.toml);
    ``threshold``: the model's proposals below this confidence are not shown; ``use_model`` false: only
    the KB's and learned text's proposals; ``guidelines`` is the Markdown file shown on a key;
    ``write_patience_s``: how long a change waits for the database's write lock before it fails."""
    app = AnnotatorApp(
        store, user, doc_key, review, learn_from_others, threshold, use_model, guidelines, write_patience_s
    )
    if keymap:
        app.set_keymap(keymap)
    return app
