"""The screen of one document at a time, in one layer: what the annotation and the review screen share.

The article with its title (the status line, search and prompt are ``ArticleScreen``'s), moving
between documents, tagging, removing, undo and redo, the suggestions for the selection (from the KB,
looked up in a thread), the time spent and when the garbage collector may run. ``AnnotateScreen``
(an annotator's own layer, with proposals) and ``ReviewScreen`` (gold, with the disagreements) are its
two kinds; each says which keys it has (``annotator.keymap``), what its side panels are and what its
title shows.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from annotator.model import Label, Span
from annotator.store import Store
from annotator.text import text_tokens, word_token
from annotator.tui.bindings import tag_bindings
from annotator.tui.keystrokes import IdleCollector, TimeSpent
from annotator.tui.messages import Question
from annotator.tui.screens.editing import EditingScreen
from annotator.tui.screens.guards import saving, while_shown
from annotator.tui.screens.picker import document_picker
from annotator.tui.screens.suggesting import SuggestingScreen
from annotator.tui.typed_ahead import CountsKeys
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.key_footer import KeyFooter
from annotator.tui.widgets.prompt import Prompt
from annotator.tui.widgets.status_line import StatusLine
from annotator.tui.widgets.suggestion_list import Shown, SuggestionList
from annotator.tui.widgets.title_bar import TitleBar
from annotator.tui.workers import Lookup

if TYPE_CHECKING:
    from collections.abc import Callable

    from annotator.kb import KnowledgeBase

FLUSH_TIME_S = 30.0
"""How often the time spent is written while the screen is up (and on leaving a document)."""
SYNC_S = 1.0
"""How often the screen looks whether another window changed the database (it also looks before every
edit): then it shows the layer's spans as they are now."""

WIDE_PANELS = 28
"""The side panels' least width (cells) on a terminal of 80 columns or more."""

__all__ = ["DocumentScreen", "saving", "while_shown"]


def _teaching(span: Span) -> tuple[int, int, str, str | None]:
    """What of a span teaches suggestions (and tells one version of a layer from another)."""
    return (span.start, span.end, span.label, span.kb_id)


class DocumentScreen(EditingScreen, SuggestingScreen, CountsKeys):
    CSS_PATH = "../annotator.tcss"

    def __init__(
        self,
        store: Store,
        user: str,
        layer: str,
        doc_ids: list[int],
        index: int = 0,
        learn_from_others: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.layer_name = layer
        """The layer shown and edited."""
        self.learn_from_others = learn_from_others
        """Whether the suggestions learn from other annotators' layers (else: this layer and gold)."""
        self.doc_ids = doc_ids
        self.index = index
        self.labels = store.labels.all()
        self._bind_labels()
        self.label_styles = {
            label.name: Style(bgcolor=label.colour, color="black", bold=False) for label in self.labels
        }
        self.doc_id = -1
        self.doc_key = ""
        self.spans: list[Span] = []
        self._shown_status = "todo"
        self._time = TimeSpent()
        self._collector = IdleCollector()
        self.keys_pressed = 0
        """Keys pressed on this screen so far (a key can ask for the same key straight after)."""
        self._places: dict[int, tuple[int, int]] = {}
        """Selection (anchor, cursor) per document left in this session."""
        self._data_version = store.data_version()
        self.kb: KnowledgeBase | None = None
        self._searcher: Lookup[Question, list[Shown]] | None = None
        self._lookups: list[Lookup[Any, Any]] = []
        """Every look-up thread of this screen: closed when it goes."""
        self._untaught = []

    # --- what each kind of document screen says ----------------------------------------------------

    def label_keys(self, position: int, label: Label) -> list[str]:
        """The keys that tag with ``label``, the ``position``-th of the label set."""
        raise NotImplementedError

    def side_panels(self) -> ComposeResult:
        raise NotImplementedError

    def start(self) -> None:
        """Once mounted: open the first document (or begin finding which it is)."""
        raise NotImplementedError

    def _show_title(self) -> None:
        raise NotImplementedError

    def document_opened(self) -> None:
        """Called when a document has been opened and shown."""

    # --- layout ------------------------------------------------------------------------------------

    def _bind_labels(self) -> None:
        """One binding per label key: the label set is the project's, so these are made here."""
        tags = tag_bindings(self.labels, self.label_keys)
        others = {k: v for k, v in self._bindings.key_to_bindings.items() if k not in tags}
        self._bindings.key_to_bindings = {**tags, **others}  # the labels first in the footer

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ArticleView(id="article")
                yield StatusLine(id="status")
                yield Prompt(id="prompt")
            with Vertical(id="right"):
                yield from self.side_panels()
        yield KeyFooter()

    def on_mount(self) -> None:
        prompt = self.query_one(Prompt)
        prompt.display = False
        prompt.answered = self._prompt_answered
        self.article.set_label_styles(self.label_styles)
        self.query_one(SuggestionList).set_label_styles(self.label_styles)
        self.article.selection_listener = self._selection_moved
        self.article.rewrapped_listener = self._show_status
        self.article.focus()
        self.set_interval(FLUSH_TIME_S, self._flush_time)
        self.set_interval(SYNC_S, self.sync)
        self._collector.start(self.set_interval)
        self.start()

    def on_resize(self) -> None:
        """At 80 columns and up the side panels get room for a name and its label on one line."""
        self.query_one("#right").styles.min_width = WIDE_PANELS if self.size.width >= 80 else None

    def on_unmount(self) -> None:
        self._collector.stop()
        self._flush_time(leaving=True)
        for lookup in self._lookups:
            lookup.close()

    # --- documents ---------------------------------------------------------------------------------

    def open_document(self, index: int) -> None:
        if not self.doc_ids:
            return
        self._flush_time()
        if self.doc_id >= 0:
            self._places[self.doc_id] = (self.article.anchor_token, self.article.cursor)
        self.index = index % len(self.doc_ids)
        document = self.store.documents.get(self.doc_ids[self.index])
        self.doc_id = document.id
        self.doc_key = document.key
        self._data_version = self.store.data_version()
        self.spans = self.store.edits.spans(document.id, self.layer_name)
        self.article.load(document.text, text_tokens(document.text), self.spans)
        if document.id in self._places:  # back to a document: where the annotator left it
            self.article.select_tokens(*self._places[document.id])
        self._show_spans()
        self.document_opened()

    def _open_next_unfinished(self, all_done: str, saved: Callable[[], object] | None = None) -> None:
        """Mark this document done in the layer and open the next one that is not; ``all_done`` is said
        when there is none (once it is saved; meanwhile the keys go on on this document). ``saved`` is
        called once the document is done in the database."""
        doc_id, layer = self.doc_id, self.layer_name

        def shown(_: None) -> None:
            if saved is not None:
                saved()
            if self.doc_id != doc_id:
                return
            index = self.store.progress.next_unfinished(self.doc_ids, self.index, layer)
            if index is not None:
                self.open_document(index)
                return
            self._show_title()
            self.notify(all_done, timeout=3)

        self.write("done", lambda store: store.progress.set_status(doc_id, layer, "done"), shown)

    def action_goto(self) -> None:
        """The document list with each one's state, filtered as the annotator types."""
        if not self.doc_ids:
            self.say("No documents here yet")
            return

        def chosen(position: int | None) -> None:
            if position is not None and position != self.index:
                self.open_document(position)

        picker = document_picker(self.store, self.layer_name, self.user, self.doc_ids, self.index, chosen)
        self.app.push_screen(picker)

    def action_document(self, delta: int) -> None:
        """The next or previous document, round from the last to the first (said: it is no new one)."""
        if not self.doc_ids:
            return
        target = self.index + delta
        self.open_document(target)
        if not 0 <= target < len(self.doc_ids):
            where = "first" if delta > 0 else "last"
            self.say(f"Round to the {where} document ({self.index + 1} of {len(self.doc_ids)})")

    def _show_spans(self) -> None:
        self.article.set_spans(self.spans)
        self._show_entities()
        self._show_title()
        self._show_status()

    def _show_entities(self) -> None:
        self.query_one(EntityPanel).show(self.article.text, self.spans, self.labels, self.label_styles)

    def _apply(self, removed: list[Span], added: list[Span]) -> None:
        """Show an edit already in the database: the article redraws the lines it touches."""
        self.article.change_spans(removed, added)
        self.spans = self.article.spans  # the article keeps the one sorted list
        self._teach(removed, added)
        self.query_one(EntityPanel).change(self.spans, removed, added)
        if self._shown_status != "in_progress":
            self._show_title()
        self.spans_changed(removed, added)
        self._show_status()  # after the proposals followed: none is said to be proposed over the new span

    def _reload_spans(self) -> None:
        """Show the layer's spans as the database has them (after undo, redo, another window's edit)."""
        self._data_version = self.store.data_version()
        before = Counter(map(_teaching, self.spans))
        self.spans = self.store.edits.spans(self.doc_id, self.layer_name)
        after = Counter(map(_teaching, self.spans))
        gone = [Span(*key) for key in (before - after).elements()]
        came = [Span(*key) for key in (after - before).elements()]
        self._teach(gone, came)
        self._show_spans()
        self.spans_changed(gone, came)

    def _show_database(self) -> None:
        """After a write failed: the layer's spans and the title as the database has them."""
        if self.doc_id >= 0:
            self._reload_spans()

    def spans_changed(self, removed: list[Span], added: list[Span]) -> None:
        """Called when the layer's spans on the document changed: ``removed`` and ``added``."""

    def history_replayed(self) -> None:
        """Called after an undo or redo, before the spans are shown again."""

    def sync(self) -> bool:
        """When another connection (another window of this layer, a reviewer) has written to the
        database since the screen last looked, show the document as it is now; True when it looked.
        Called on a timer and before every edit, so an edit never acts on a state that is gone; not while
        this screen's own writes are pending (they are shown when they land, then it looks)."""
        if self.doc_id < 0 or self.writes_pending:
            return False
        try:
            version = self.store.data_version()
        except sqlite3.Error:
            return False
        if version == self._data_version:
            return False
        self._data_version = version
        now = self.store.edits.spans(self.doc_id, self.layer_name)
        if Counter(map(_teaching, now)) != Counter(map(_teaching, self.spans)):
            self._reload_spans()
        return True

    def _selection_moved(self) -> None:
        """Called by the article in the same tick as its redraw: one compositor pass per key."""
        self._status_note = None
        self._show_status()
        self._ask_suggestions()

    def action_word(self, delta: int, extend: bool = False) -> None:
        """Move the cursor by a whole word (``text.word_token``); ``extend`` keeps the anchor."""
        article = self.article
        if article.tokens:
            target = word_token(article.tokens, article.cursor, delta, to_last=extend and delta > 0)
            article.select_tokens(article.anchor_token if extend else target, target)

    def key_pressed(self, event: events.Key) -> None:
        """Every key that acts on this screen, its prompt's too, once (``TypedAhead`` calls it where
        the key acts, before its binding runs)."""
        self.keys_pressed += 1
        now = time.monotonic()
        self._collector.key(now)
        self._time.key(now)
        self.clear_note()
        self.said_where_a_key_works(event.key)

    @saving
    def _flush_time(self, leaving: bool = False) -> None:
        """Write the time spent; ``leaving``: the screen is going, so straight to the writer (which the
        app finishes before it closes)."""
        if self.doc_id < 0:
            return
        doc_id, layer = self.doc_id, self.layer_name

        def save(seconds: float, keys: int) -> None:
            def job(store: Store) -> None:
                store.progress.add_time(doc_id, layer, seconds, keys)

            if leaving:
                self.writer.submit("the time spent", job)
            else:
                self.write("the time spent", job)

        self._time.save(save)
