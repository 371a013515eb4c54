"""The screen of one document at a time, in one layer: what the annotation and the review screen share.

The article with its status line and title, moving between documents, tagging, removing, undo and redo,
the search and go-to prompt, the suggestions for the selection (from the KB, looked up in a thread),
the time spent and when the garbage collector may run. ``AnnotateScreen`` (an annotator's own layer,
with proposals) and ``ReviewScreen`` (gold, with the disagreements) are its two kinds; each says
which keys it has (``annotator.keymap``), what its side panels are and what its title shows.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from annotator.errors import AnnotatorError
from annotator.literal import literal
from annotator.model import Label, Span
from annotator.spans import innermost, overlaps
from annotator.store import Store
from annotator.text import tokenize
from annotator.tui.bindings import tag_bindings
from annotator.tui.keystrokes import IdleCollector, TimeSpent
from annotator.tui.messages import KbFailed, KbLoaded, LookupFailed, Question, SuggestionsFound
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.prompt import Prompt
from annotator.tui.widgets.status_line import StatusLine, selection_status
from annotator.tui.widgets.suggestion_list import MAX_SHOWN, Shown, SuggestionList, suggestions_note
from annotator.tui.workers import Lookup, load_kb

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase

MAX_QUERY = 80
"""A selection longer than this (characters) is not a name: no look-up."""
SEARCH_DELAY_S = 0.12
"""Suggestions are looked up once the selection has stayed this long (not for every step of a drag)."""
FLUSH_TIME_S = 30.0
"""How often the time spent is written while the screen is up (and on leaving a document)."""

F = TypeVar("F", bound=Callable[..., Any])


def saving(method: F) -> F:
    """A write the database refuses (locked past the busy timeout by another writer, a full disk) is
    said on screen and changes nothing there: the screen shows only what is on disk, and the app goes
    on (an exception in an action would close it)."""

    @functools.wraps(method)
    def guarded(self: Screen[None], *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as err:
            message = f"Not saved: {err}. Nothing changed; try again."
            self.notify(literal(message), severity="error", timeout=8, markup=False)
            return None

    return guarded  # type: ignore[return-value]


def while_shown(handler: F) -> F:
    """A worker's answer that arrives while the screen is being taken down (its widgets already
    removed) is dropped."""

    @functools.wraps(handler)
    def guarded(self: Screen[None], *args: Any, **kwargs: Any) -> Any:
        if self.is_mounted and self.is_attached:
            return handler(self, *args, **kwargs)
        return None

    return guarded  # type: ignore[return-value]


def find_next(text: str, needle: str, after: int) -> tuple[int, int] | None:
    """Where ``needle`` is next in ``text`` from ``after`` on (from the start again if not), any case."""
    folded, needle = text.casefold(), needle.casefold()
    found = folded.find(needle, after)
    if found == -1:
        found = folded.find(needle)
    return None if found == -1 else (found, found + len(needle))


class DocumentScreen(Screen[None]):
    CSS_PATH = "../annotator.tcss"

    def __init__(self, store: Store, user: str, layer: str, doc_ids: list[int], index: int = 0) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.layer_name = layer
        """The layer shown and edited."""
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
        self._places: dict[int, tuple[int, int]] = {}
        """Selection (anchor, cursor) per document left in this session."""
        self.kb: KnowledgeBase | None = None
        self._searcher: Lookup[Question, list[Shown]] | None = None
        self._lookups: list[Lookup[Any, Any]] = []
        """Every look-up thread of this screen: closed when it goes."""

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

    def kb_ready(self) -> None:
        """Called when the KB has loaded, before the first look-up of suggestions."""

    # --- layout ------------------------------------------------------------------------------------

    def _bind_labels(self) -> None:
        """One binding per label key: the label set is the project's, so these are made here."""
        tags = tag_bindings(self.labels, self.label_keys)
        others = {k: v for k, v in self._bindings.key_to_bindings.items() if k not in tags}
        self._bindings.key_to_bindings = {**tags, **others}  # the labels first in the footer

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ArticleView(id="article")
                yield StatusLine(id="status")
                yield Prompt(id="prompt")
            with Vertical(id="right"):
                yield from self.side_panels()
        yield Footer()

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    def on_mount(self) -> None:
        self.query_one(Prompt).display = False
        self.article.set_label_styles(self.label_styles)
        self.query_one(SuggestionList).set_label_styles(self.label_styles)
        self.article.selection_listener = self._selection_moved
        self.article.focus()
        self.set_interval(FLUSH_TIME_S, self._flush_time)
        self._collector.start(self.set_interval)
        self.start()

    def on_unmount(self) -> None:
        self._collector.stop()
        self._flush_time()
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
        self.spans = self.store.edits.spans(document.id, self.layer_name)
        self.article.load(document.text, tokenize(document.text), self.spans)
        if document.id in self._places:  # back to a document: where the annotator left it
            self.article.select_tokens(*self._places[document.id])
        self._show_spans()
        self.document_opened()

    def _open_next_unfinished(self, all_done: str) -> None:
        """Mark this document done in the layer and open the next one that is not; ``all_done`` is said
        when there is none."""
        self.store.progress.set_status(self.doc_id, self.layer_name, "done")
        index = self.store.progress.next_unfinished(self.doc_ids, self.index, self.layer_name)
        if index is not None:
            self.open_document(index)
            return
        self._show_title()
        self.notify(all_done, timeout=3)

    def action_document(self, delta: int) -> None:
        self.open_document(self.index + delta)

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
        self._show_entities()
        if self._shown_status != "in_progress":
            self._show_title()
        self._show_status()

    def _reload_spans(self) -> None:
        self.spans = self.store.edits.spans(self.doc_id, self.layer_name)
        self._show_spans()

    def _show_status(self) -> None:
        article = self.article
        selection = article.selection
        under = article.spans_between(*selection) if selection else []
        self.query_one(StatusLine).show(selection_status(article.text, selection, under, self.label_styles))

    def _selection_moved(self) -> None:
        """Called by the article in the same tick as its redraw: one compositor pass per key."""
        self._show_status()
        self._ask_suggestions()

    def on_entity_panel_chosen(self, event: EntityPanel.Chosen) -> None:
        self.article.select_offsets(event.span.start, event.span.end)
        self.article.focus()

    def action_focus_panel(self) -> None:
        """Tab: the article, then the suggestions, then the entities, and back."""
        order = [self.article, self.query_one(SuggestionList), self.query_one(EntityPanel)]
        focused = next((i for i, widget in enumerate(order) if widget.has_focus), -1)
        order[(focused + 1) % len(order)].focus()

    # --- editing -----------------------------------------------------------------------------------

    def action_tag(self, position: int) -> None:
        if position < len(self.labels):
            self._tag(self.labels[position].name)

    @saving
    def _tag(self, label: str, kb_id: str | None = None, source: str = "manual") -> None:
        """Tag the selection (again: change its label); a suggestion also links it to ``kb_id``."""
        selection = self.article.selection
        if selection is None:
            return
        start, end = selection
        same_place = [s for s in self.article.spans_between(start, end) if s.start == start and s.end == end]
        if any(s.label == label and (source == "manual" or s.kb_id == kb_id) for s in same_place):
            return
        new = Span(start, end, label, kb_id, source)
        self.store.edits.edit(self.doc_id, self.layer_name, remove=same_place, add=[new], who=self.user)
        self._apply(same_place, [new])
        self._learn([new])

    @saving
    def action_remove(self) -> None:
        selection = self.article.selection
        if selection is None:
            return
        start, end = selection
        exact = [s for s in self.spans if s.start == start and s.end == end]
        if not exact:
            cursor_start, cursor_end = self.article.tokens[self.article.cursor]
            covering = [s for s in self.spans if overlaps(s.start, s.end, cursor_start, cursor_end)]
            exact = [innermost(covering)] if covering else []
        if exact:
            self.store.edits.edit(self.doc_id, self.layer_name, remove=exact, who=self.user)
            self._apply(exact, [])

    @saving
    def action_undo(self) -> None:
        if self.store.edits.undo(self.doc_id, self.layer_name):
            self._reload_spans()
        else:
            self.notify("Nothing to undo", timeout=2)

    @saving
    def action_redo(self) -> None:
        if self.store.edits.redo(self.doc_id, self.layer_name):
            self._reload_spans()
        else:
            self.notify("Nothing to redo", timeout=2)

    # --- search and go to --------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one(Prompt).open("search", "Search the article (Enter: next match, Esc: close)")

    def action_goto(self) -> None:
        self.query_one(Prompt).open("goto", "Go to document (its key)")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        kind = self.query_one(Prompt).kind
        if kind == "search":
            self._find(event.value)
        elif kind == "goto":
            self._close_prompt()
            try:
                doc_id = self.store.documents.id_of(event.value.strip())
            except AnnotatorError:
                self.notify(f"No document {event.value.strip()!r}", severity="warning", markup=False)
                return
            self.open_document(self.doc_ids.index(doc_id))

    def _find(self, needle: str) -> None:
        if not needle:
            return
        article = self.article
        after = article.tokens[article.cursor][1] if article.tokens else 0
        found = find_next(article.text, needle, after)
        if found is None:
            self.notify("No match", timeout=2)
            return
        article.select_offsets(*found)

    def _close_prompt(self) -> None:
        self.query_one(Prompt).close()
        self.article.focus()

    def on_key(self, event: events.Key) -> None:
        now = time.monotonic()
        self._collector.key(now)
        self._time.key(now)
        if event.key == "escape" and self.query_one(Prompt).kind is not None:
            # Stopped here: the app would otherwise look the key up again on the article, which has
            # the focus by then, and its escape binding would collapse the match just selected.
            event.stop()
            self._close_prompt()

    @saving
    def _flush_time(self) -> None:
        if self.doc_id >= 0:
            self._time.save(
                lambda seconds: self.store.progress.add_time(self.doc_id, self.layer_name, seconds)
            )

    # --- suggestions for the selection -------------------------------------------------------------

    def start_loading_kb(self) -> None:
        load_kb(self.store.path, self)

    @while_shown
    def on_kb_failed(self, message: KbFailed) -> None:
        self.query_one(SuggestionList).show([], "no suggestions: the knowledge base did not load")
        self.notify(literal(f"Knowledge base: {message.error}"), severity="warning", markup=False)

    @while_shown
    def on_kb_loaded(self, message: KbLoaded) -> None:
        self.kb = message.kb
        self._searcher = Lookup(self._search, SuggestionsFound, self, "kb-search")
        self._lookups.append(self._searcher)
        self.kb_ready()
        self._ask_suggestions()

    @while_shown
    def on_lookup_failed(self, message: LookupFailed) -> None:
        self.notify(literal(f"Look-up failed: {message.error}"), severity="warning", markup=False)

    def _ask_suggestions(self) -> None:
        selection = self.article.selection
        if self._searcher is None or selection is None:
            return
        start, end = selection
        text = " ".join(self.article.text[start:end].split())
        if len(text) > MAX_QUERY:
            self.query_one(SuggestionList).show([], "select a name to see suggestions")
            return
        self._searcher.ask((self.doc_id, start, end, text), SEARCH_DELAY_S)

    def _search(self, question: Question) -> list[Shown]:
        """In the look-up thread."""
        assert self.kb is not None
        return [Shown.from_suggestion(s) for s in self.kb.search(question[3], limit=MAX_SHOWN)]

    @while_shown
    def on_suggestions_found(self, message: SuggestionsFound) -> None:
        doc_id, start, end, text = message.question
        if (doc_id, (start, end)) != (self.doc_id, self.article.selection):
            return  # the selection moved on; its own answer is on the way
        no_index = self.kb is not None and self.kb.index is None
        self.query_one(SuggestionList).show(message.found, suggestions_note(text, message.found, no_index))

    def action_take_suggestion(self, index: int = 0) -> None:
        suggestions = self.query_one(SuggestionList)
        if 0 <= index < len(suggestions.items):
            self._take(suggestions.items[index])

    def on_suggestion_list_taken(self, event: SuggestionList.Taken) -> None:
        self._take(event.suggestion)
        self.article.focus()

    def _take(self, suggestion: Shown) -> None:
        self._tag(suggestion.label, suggestion.kb_id, "suggestion")

    def _learn(self, spans: list[Span]) -> None:
        """Saved spans teach the suggestions at once."""
        if self.kb is None:
            return
        for span in spans:
            self.kb.learn(self.article.text[span.start : span.end], span.label, span.kb_id)
