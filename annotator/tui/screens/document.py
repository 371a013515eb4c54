"""The screen of one document at a time, in one layer: what the annotation and the review screen share.

The article with its title (the status line, search and prompt are ``ArticleScreen``'s), moving
between documents, tagging, removing, undo and redo, the suggestions for the selection (from the KB,
looked up in a thread), the time spent and when the garbage collector may run. ``AnnotateScreen``
(an annotator's own layer, with proposals) and ``ReviewScreen`` (gold, with the disagreements) are its
two kinds; each says which keys it has (``annotator.keymap``), what its side panels are and what its
title shows.
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

from annotator.model import Label, Span
from annotator.spans import innermost, moved_edge, overlaps
from annotator.store import Store
from annotator.text import tokenize
from annotator.tui.bindings import tag_bindings
from annotator.tui.keystrokes import IdleCollector, TimeSpent
from annotator.tui.messages import KbFailed, KbLoaded, LookupFailed, Question, SuggestionsFound
from annotator.tui.screens.article_screen import ArticleScreen
from annotator.tui.screens.picker import document_picker
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.article_lines import visible
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.key_footer import KeyFooter
from annotator.tui.widgets.prompt import Prompt
from annotator.tui.widgets.status_line import StatusLine, change_note
from annotator.tui.widgets.suggestion_list import (
    MAX_SHOWN,
    MIN_ENTER_SCORE,
    Shown,
    SuggestionList,
    suggestions_note,
    takes_first,
)
from annotator.tui.widgets.title_bar import TitleBar
from annotator.tui.workers import Lookup, load_kb

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase

MAX_QUERY = 80
"""A selection longer than this (characters) is not a name: no look-up."""
SEARCH_DELAY_S = 0.12
"""Suggestions are looked up once the selection has stayed this long (not for every step of a drag)."""
FLUSH_TIME_S = 30.0
"""How often the time spent is written while the screen is up (and on leaving a document)."""

WIDE_PANELS = 28
"""The side panels' least width (cells) on a terminal of 80 columns or more."""

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
            self.notify(message, severity="error", timeout=8, markup=False)
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


class DocumentScreen(ArticleScreen):
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
        self.keys_pressed = 0
        """Keys pressed on this screen so far (a key can ask for the same key straight after)."""
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
        self._collector.start(self.set_interval)
        self.start()

    def on_resize(self) -> None:
        """At 80 columns and up the side panels get room for a name and its label on one line."""
        self.query_one("#right").styles.min_width = WIDE_PANELS if self.size.width >= 80 else None

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

    def action_goto(self) -> None:
        """The document list with each one's state, filtered as the annotator types."""
        if not self.doc_ids:
            self.say("No documents here yet")
            return

        def chosen(position: int | None) -> None:
            if position is not None and position != self.index:
                self.open_document(position)

        picker = document_picker(self.store, self.layer_name, self.user, self.doc_ids, self.index)
        self.app.push_screen(picker, chosen)

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
        self._show_entities()
        if self._shown_status != "in_progress":
            self._show_title()
        self._show_status()

    def _reload_spans(self) -> None:
        self.spans = self.store.edits.spans(self.doc_id, self.layer_name)
        self._show_spans()

    def _selection_moved(self) -> None:
        """Called by the article in the same tick as its redraw: one compositor pass per key."""
        self._show_status()
        self._ask_suggestions()

    # --- editing -----------------------------------------------------------------------------------

    def action_tag(self, position: int) -> None:
        if position < len(self.labels):
            self._tag(self.labels[position].name)

    @saving
    def _tag(self, label: str, kb_id: str | None = None, source: str = "manual") -> None:
        """Tag the selection (again: change its label); a suggestion also links it to ``kb_id``."""
        selection = self.article.selection
        if selection is None:
            self.say("No text to tag")
            return
        start, end = selection
        under = self.article.spans_between(start, end)
        same_place = [s for s in under if s.start == start and s.end == end]
        if any(s.label == label and (source == "manual" or s.kb_id == kb_id) for s in same_place):
            self.say(f"Already {label}")
            return
        # a wider selection over spans of the label takes their place (it does not nest a second one)
        inside = [s for s in under if s.label == label and start <= s.start and s.end <= end]
        replaced = [*same_place, *(s for s in inside if s not in same_place)]
        new = Span(start, end, label, kb_id, source)
        self.store.edits.edit(self.doc_id, self.layer_name, remove=replaced, add=[new], who=self.user)
        self._apply(replaced, [new])
        self._learn([new])

    @saving
    def action_remove(self) -> None:
        """The span selected exactly, else the innermost under the cursor, else every span inside a wider
        selection; where there is none it says so."""
        selection = self.article.selection
        if selection is None:
            return
        start, end = selection
        exact = [s for s in self.spans if s.start == start and s.end == end]
        if not exact:
            cursor_start, cursor_end = self.article.tokens[self.article.cursor]
            covering = [s for s in self.spans if overlaps(s.start, s.end, cursor_start, cursor_end)]
            exact = [innermost(covering)] if covering else []
        if not exact:
            exact = [s for s in self.article.spans_between(start, end) if start <= s.start and s.end <= end]
        if not exact:
            self.say("No span here to remove")
            return
        self.store.edits.edit(self.doc_id, self.layer_name, remove=exact, who=self.user)
        self._apply(exact, [])
        self.say(f"Removed {len(exact)} spans" if len(exact) > 1 else f"Removed {exact[0].label}")

    @saving
    def action_span_edge(self, side: int, delta: int) -> None:
        """Move the start (``side`` -1) or end (1) of the span under the cursor by a token."""
        article = self.article
        selection = article.selection
        if selection is None:
            return
        start, end = selection
        exact = [s for s in self.spans if s.start == start and s.end == end]
        cursor_start, cursor_end = article.tokens[article.cursor]
        covering = exact or [s for s in self.spans if overlaps(s.start, s.end, cursor_start, cursor_end)]
        if not covering:
            self.say("No span under the cursor: its edges move with < > , .")
            return
        span = innermost(covering)
        moved = moved_edge(span, article.tokens, side, delta)
        if moved is None or any(s.start == moved.start and s.end == moved.end for s in self.spans):
            self.say(f"The {'start' if side < 0 else 'end'} of {span.label} cannot move that way")
            return
        self.store.edits.edit(self.doc_id, self.layer_name, remove=[span], add=[moved], who=self.user)
        self._apply([span], [moved])
        article.select_offsets(moved.start, moved.end)
        self.say(f"{moved.label}: {' '.join(article.text[moved.start : moved.end].split())}")

    @saving
    def action_undo(self, redo: bool = False) -> None:
        """Undo (or redo) the latest edit, say what it was and go to it."""
        before = list(self.spans)
        step = self.store.edits.redo if redo else self.store.edits.undo
        if not step(self.doc_id, self.layer_name):
            self.say(f"Nothing to {'redo' if redo else 'undo'}")
            return
        self._reload_spans()
        note, where = change_note("Redid" if redo else "Undid", self.article.text, before, self.spans)
        if where is not None:
            self.article.select_offsets(*where)
        self.say(note)

    def on_key(self, event: events.Key) -> None:
        self.keys_pressed += 1
        now = time.monotonic()
        self._collector.key(now)
        self._time.key(now)
        self.clear_note()
        self.said_where_a_key_works(event.key)

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
        self.notify(f"Knowledge base: {message.error}", severity="warning", markup=False)

    @while_shown
    def on_kb_loaded(self, message: KbLoaded) -> None:
        self.kb = message.kb
        self._searcher = Lookup(self._search, SuggestionsFound, self, "kb-search")
        self._lookups.append(self._searcher)
        self.kb_ready()
        self._ask_suggestions()

    @while_shown
    def on_lookup_failed(self, message: LookupFailed) -> None:
        self.notify(f"Look-up failed: {message.error}", severity="warning", markup=False)

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

    def action_take_suggestion(self) -> None:
        """Enter in the article: the first suggestion, when it is close enough to be sure of."""
        suggestions = self.query_one(SuggestionList)
        if not suggestions.items:
            self.say("No suggestion for the selection: a label key tags it")
        elif not takes_first(suggestions.items):
            self.say(f"No suggestion scores {MIN_ENTER_SCORE:.0f}: Tab to the list to choose one")
        else:
            self._take(suggestions.items[0])

    def on_suggestion_list_taken(self, event: SuggestionList.Taken) -> None:
        self._take(event.suggestion)
        self.article.focus()

    def _take(self, suggestion: Shown) -> None:
        self._tag(suggestion.label, suggestion.kb_id, "suggestion")
        link = f" ({visible(suggestion.kb_id)})" if suggestion.kb_id else ""
        self.say(f"{suggestion.label} linked to {visible(suggestion.name)}{link}")

    def _learn(self, spans: list[Span]) -> None:
        """Saved spans teach the suggestions at once."""
        if self.kb is None:
            return
        for span in spans:
            self.kb.learn(self.article.text[span.start : span.end], span.label, span.kb_id)
