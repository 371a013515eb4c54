"""The annotation screen: one annotator's layer on one document at a time."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from annotator.errors import AnnotatorError
from annotator.model import Span
from annotator.store import Store
from annotator.text import tokenize
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from annotator.tui.app import AnnotatorApp

IDLE_CAP_S = 120.0
"""A pause longer than this between keys counts as this long: time away is not time spent."""


class AnnotateScreen(Screen[None]):
    CSS_PATH = "../annotator.tcss"
    BINDINGS = [
        Binding("a,1", "tag(0)", "Actor", id="annotate.tag_1"),
        Binding("p,2", "tag(1)", "Place", id="annotate.tag_2"),
        Binding("e,3", "tag(2)", "Event", id="annotate.tag_3"),
        Binding("x,delete,backspace", "remove", "Remove", id="annotate.remove"),
        Binding("u,ctrl+z", "undo", "Undo", id="annotate.undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", id="annotate.redo"),
        Binding("slash", "search", "Search", id="annotate.search"),
        Binding("right_square_bracket", "document(1)", "Next doc", id="annotate.next_document"),
        Binding("left_square_bracket", "document(-1)", "Prev doc", id="annotate.previous_document"),
        Binding("d", "done", "Done", id="annotate.done"),
        Binding("g", "goto", "Go to doc", show=False, id="annotate.goto"),
        Binding("tab", "focus_panel", "Entities", show=False, id="annotate.focus_panel"),
    ]

    def __init__(self, store: Store, user: str, doc_ids: list[int], index: int = 0) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.doc_ids = doc_ids
        self.index = index
        self.labels = store.labels()
        self.label_styles = {
            label.name: Style(bgcolor=label.colour, color="black", bold=False) for label in self.labels
        }
        self.doc_id = -1
        self.spans: list[Span] = []
        self._prompt: str | None = None
        self._shown_status = "todo"
        self._last_key = time.monotonic()
        self._unsaved_seconds = 0.0
        self._places: dict[int, tuple[int, int]] = {}
        """Selection (anchor, cursor) per document left in this session."""

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ArticleView(id="article")
                yield StatusLine(id="status")
                yield Input(id="prompt")
            yield EntityPanel(id="entities")
        yield Footer()

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def app_(self) -> AnnotatorApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).display = False
        self.article.set_label_styles(self.label_styles)
        self.article.selection_listener = self._show_status
        self.open_document(self.index)
        self.article.focus()
        self.set_interval(30, self._flush_time)

    # --- documents -------------------------------------------------------------------------------

    def open_document(self, index: int) -> None:
        self._flush_time()
        if self.doc_id >= 0:
            self._places[self.doc_id] = (self.article.anchor, self.article.cursor)
        self.index = index % len(self.doc_ids)
        document = self.store.document(self.doc_ids[self.index])
        self.doc_id = document.id
        self.doc_key = document.key
        self.spans = self.store.spans(document.id, self.user)
        self.article.load(document.text, tokenize(document.text), self.spans)
        if document.id in self._places:  # back to a document: where the annotator left it
            self.article.select_tokens(*self._places[document.id])
        self._show_spans()
        # What is loaded now lives as long as the document is open: taking it out of the collector's
        # reach keeps full collections (60 ms with a 2,000-span article) from landing on a keystroke.
        gc.freeze()

    def _show_spans(self) -> None:
        self.article.set_spans(self.spans)
        self.query_one(EntityPanel).show(self.article.text, self.spans, self.labels, self.label_styles)
        self._show_title()
        self._show_status()

    def _apply(self, removed: list[Span], added: list[Span]) -> None:
        """Show an edit already in the database: the article redraws the lines it touches."""
        self.article.change_spans(removed, added)
        self.spans = self.article.spans  # the article keeps the one sorted list
        self.query_one(EntityPanel).show(self.article.text, self.spans, self.labels, self.label_styles)
        if self._shown_status != "in_progress":
            self._show_title()
        self._show_status()

    def _reload_spans(self) -> None:
        self.spans = self.store.spans(self.doc_id, self.user)
        self._show_spans()

    def _show_title(self) -> None:
        self._shown_status = self.store.status(self.doc_id, self.user)
        status = self._shown_status.replace("_", " ")
        title = Text.assemble(
            ("annotator", "bold"),
            f"  document {self.index + 1} of {len(self.doc_ids)}  ",
            (self.doc_key, "bold"),
            f"  [{status}]  user: ",
            (self.user, "bold"),
        )
        self.query_one("#title", Static).update(title, layout=False)

    def _show_status(self) -> None:
        selection = self.article.selection
        if selection is None:
            self.query_one(StatusLine).show(Text())
            return
        start, end = selection
        under = self.article.spans_between(start, end)
        words = " ".join(self.article.text[start:end].split())
        line = Text.assemble(("selection ", "dim"), Text(words if len(words) < 60 else words[:57] + "…"))
        for span in under:
            line.append("  ")
            line.append(f" {span.label} ", self.label_styles.get(span.label, Style(reverse=True)))
            line.append(" " + " ".join(self.article.text[span.start : span.end].split()))
        self.query_one(StatusLine).show(line)

    def on_entity_panel_chosen(self, event: EntityPanel.Chosen) -> None:
        self.article.select_offsets(event.span.start, event.span.end)
        self.article.focus()

    # --- editing ---------------------------------------------------------------------------------

    def action_tag(self, position: int) -> None:
        selection = self.article.selection
        if selection is None or position >= len(self.labels):
            return
        label = self.labels[position].name
        start, end = selection
        same_place = [s for s in self.spans if s.start == start and s.end == end]
        if any(s.label == label for s in same_place):
            return
        span = self.store.add_span(
            self.doc_id, self.user, Span(start, end, label), self.user, replace=same_place
        )
        self._apply(same_place, [span])

    def action_remove(self) -> None:
        selection = self.article.selection
        if selection is None:
            return
        start, end = selection
        exact = [s for s in self.spans if s.start == start and s.end == end]
        if not exact:
            cursor_start, cursor_end = self.article.tokens[self.article.cursor]
            covering = [s for s in self.spans if s.start < cursor_end and s.end > cursor_start]
            exact = [min(covering, key=lambda s: s.end - s.start)] if covering else []
        if exact:
            self.store.remove_spans(self.doc_id, self.user, exact, self.user)
            self._apply(exact, [])

    def action_undo(self) -> None:
        if self.store.undo(self.doc_id, self.user):
            self._reload_spans()
        else:
            self.notify("Nothing to undo", timeout=2)

    def action_redo(self) -> None:
        if self.store.redo(self.doc_id, self.user):
            self._reload_spans()
        else:
            self.notify("Nothing to redo", timeout=2)

    def action_document(self, delta: int) -> None:
        self.open_document(self.index + delta)

    def action_done(self) -> None:
        self.store.set_status(self.doc_id, self.user, "done")
        following = [(self.index + k) % len(self.doc_ids) for k in range(1, len(self.doc_ids) + 1)]
        for index in following:
            if self.store.status(self.doc_ids[index], self.user) != "done":
                self.open_document(index)
                return
        self._show_title()
        self.notify("Every document is done", timeout=3)

    def action_focus_panel(self) -> None:
        panel = self.query_one(EntityPanel)
        (self.article if panel.has_focus else panel).focus()

    # --- search and go to ------------------------------------------------------------------------

    def action_search(self) -> None:
        self._ask("search", "Search the article (Enter: next match, Esc: close)")

    def action_goto(self) -> None:
        self._ask("goto", "Go to document (its key)")

    def _ask(self, kind: str, placeholder: str) -> None:
        prompt = self.query_one("#prompt", Input)
        self._prompt = kind
        prompt.placeholder = placeholder
        prompt.value = ""
        prompt.display = True
        prompt.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._prompt == "search":
            self._find(event.value)
        elif self._prompt == "goto":
            self._close_prompt()
            try:
                doc_id = self.store.document_id(event.value.strip())
            except AnnotatorError:
                self.notify(f"No document {event.value.strip()!r}", severity="warning", markup=False)
                return
            self.open_document(self.doc_ids.index(doc_id))

    def _find(self, needle: str) -> None:
        if not needle:
            return
        text = self.article.text.casefold()
        needle = needle.casefold()
        after = self.article.tokens[self.article.cursor][1] if self.article.tokens else 0
        found = text.find(needle, after)
        if found == -1:
            found = text.find(needle)
        if found == -1:
            self.notify("No match", timeout=2)
            return
        self.article.select_offsets(found, found + len(needle))

    def _close_prompt(self) -> None:
        prompt = self.query_one("#prompt", Input)
        prompt.display = False
        self._prompt = None
        self.article.focus()

    # --- time spent ------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        now = time.monotonic()
        self._unsaved_seconds += min(now - self._last_key, IDLE_CAP_S)
        self._last_key = now
        if event.key == "escape" and self._prompt is not None:
            # Stopped here: the app would otherwise look the key up again on the article, which has
            # the focus by then, and its escape binding would collapse the match just selected.
            event.stop()
            self._close_prompt()

    def _flush_time(self) -> None:
        if self.doc_id >= 0 and self._unsaved_seconds >= 1:
            self.store.add_time(self.doc_id, self.user, self._unsaved_seconds)
            self._unsaved_seconds = 0.0

    def on_unmount(self) -> None:
        self._flush_time()
