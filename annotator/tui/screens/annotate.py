"""The annotation screen: one annotator's layer on one document at a time."""

from __future__ import annotations

import contextlib
import functools
import gc
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

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
from annotator.store.edits import as_accepted
from annotator.text import token_index_at, tokenize
from annotator.tui.lookup import Lookup
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.status_line import StatusLine
from annotator.tui.widgets.suggestion_list import Shown, SuggestionList

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase
    from annotator.suggest import Candidate
    from annotator.tui.app import AnnotatorApp

IDLE_CAP_S = 120.0
"""A pause longer than this between keys counts as this long: time away is not time spent."""
MAX_QUERY = 80
"""A selection longer than this (characters) is not a name: no look-up."""
IDLE_COLLECT_S = 1.0
"""The garbage collector runs once the keys have paused this long (and at least every 30 s)."""
SEARCH_DELAY_S = 0.12
"""Suggestions are looked up once the selection has stayed this long (not for every step of a drag)."""

Question = tuple[int, int, int, str]
"""A look-up for the selection: ``(doc_id, start, end, text)``."""

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


class AnnotateScreen(Screen[None]):
    CSS_PATH = "../annotator.tcss"
    PROPOSING = True
    """Pre-annotation proposals in the article (the review screen has none)."""
    TAG_DIGITS = True
    """The digits 1-9 tag with the label of that position (the review screen uses them for layers)."""
    BINDINGS = [
        Binding("x,delete,backspace", "remove", "Remove", id="annotate.remove"),
        Binding("u,ctrl+z", "undo", "Undo", id="annotate.undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", id="annotate.redo"),
        Binding("slash", "search", "Search", id="annotate.search"),
        Binding("right_square_bracket", "document(1)", "Next doc", id="annotate.next_document"),
        Binding("left_square_bracket", "document(-1)", "Prev doc", id="annotate.previous_document"),
        Binding("d", "done", "Done", id="annotate.done"),
        Binding("g", "goto", "Go to doc", show=False, id="annotate.goto"),
        Binding("enter", "take_suggestion", "Take 1st suggestion", show=False, id="annotate.take_suggestion"),
        Binding("y", "proposal(True)", "Accept proposal", show=False, id="annotate.accept_proposal"),
        Binding("n", "proposal(False)", "Reject proposal", show=False, id="annotate.reject_proposal"),
        Binding("Y", "accept_all", "Accept all proposals", show=False, id="annotate.accept_all"),
        Binding("tab", "focus_panel", "Next panel", show=False, id="annotate.focus_panel"),
    ]

    def __init__(self, store: Store, user: str, doc_ids: list[int], index: int = 0) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.layer_name = user
        """The layer shown and edited: the user's own (the review screen edits gold)."""
        self.doc_ids = doc_ids
        self.index = index
        self.labels = store.labels.all()
        self._bind_labels()
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
        self.kb: KnowledgeBase | None = None
        self._searcher: Lookup[Question, list[Shown]] | None = None
        self._proposer: Lookup[int, list[Candidate]] | None = None
        self._proposed: list[Candidate] = []
        """This document's candidates as proposed (before the user's spans and rejections are removed)."""

    def _bind_labels(self) -> None:
        """One binding per label (its key, and its position's digit): the label set is the project's."""
        tags: dict[str, list[Binding]] = {}
        for position, label in enumerate(self.labels[:9]):
            keys = [label.key, str(position + 1)] if self.TAG_DIGITS else [label.key]
            for key in keys:
                binding = Binding(
                    key,
                    f"tag({position})",
                    label.name.title(),
                    show=key == label.key,
                    id=f"annotate.tag_{position + 1}",
                )
                tags[key] = [binding]
        others = {k: v for k, v in self._bindings.key_to_bindings.items() if k not in tags}
        self._bindings.key_to_bindings = {**tags, **others}  # the labels first in the footer

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ArticleView(id="article")
                yield StatusLine(id="status")
                yield Input(id="prompt")
            with Vertical(id="right"):
                yield from self.side_panels()
        yield Footer()

    def side_panels(self) -> ComposeResult:
        yield SuggestionList(id="suggestions")
        yield EntityPanel(id="entities")

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def app_(self) -> AnnotatorApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).display = False
        self.article.set_label_styles(self.label_styles)
        self.query_one(SuggestionList).set_label_styles(self.label_styles)
        self.article.selection_listener = self._selection_moved
        self.article.focus()
        self.set_interval(30, self._flush_time)
        self._start_collector()
        if self.doc_ids:  # the review screen has its documents (and starts this) once they are ordered
            self.open_document(self.index)
            self.call_after_refresh(self.start_loading_kb)  # after the first frame: it imports numpy

    def start_loading_kb(self) -> None:
        threading.Thread(target=self._load_kb, name="kb-load", daemon=True).start()

    # --- documents -------------------------------------------------------------------------------

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
        self._proposed = []
        self._show_proposals()
        if self._proposer is not None:
            self._proposer.ask(document.id)


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
        self.spans = self.store.edits.spans(self.doc_id, self.layer_name)
        self._show_spans()
        self._show_proposals()

    def _show_title(self) -> None:
        self._shown_status = self.store.progress.status(self.doc_id, self.layer_name)
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

    def _selection_moved(self) -> None:
        self._show_status()
        self._ask_suggestions()

    def on_entity_panel_chosen(self, event: EntityPanel.Chosen) -> None:
        self.article.select_offsets(event.span.start, event.span.end)
        self.article.focus()

    # --- editing ---------------------------------------------------------------------------------

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
            covering = [s for s in self.spans if s.start < cursor_end and s.end > cursor_start]
            exact = [min(covering, key=lambda s: s.end - s.start)] if covering else []
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

    def action_document(self, delta: int) -> None:
        self.open_document(self.index + delta)

    @saving
    def action_done(self) -> None:
        self.store.progress.set_status(self.doc_id, self.layer_name, "done")
        following = [(self.index + k) % len(self.doc_ids) for k in range(1, len(self.doc_ids) + 1)]
        for index in following:
            if self.store.progress.status(self.doc_ids[index], self.layer_name) != "done":
                self.open_document(index)
                return
        self._show_title()
        self.notify("Every document is done", timeout=3)

    def action_focus_panel(self) -> None:
        """Tab: the article, then the suggestions, then the entities, and back."""
        order = [self.article, self.query_one(SuggestionList), self.query_one(EntityPanel)]
        focused = next((i for i, widget in enumerate(order) if widget.has_focus), -1)
        order[(focused + 1) % len(order)].focus()

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
                doc_id = self.store.documents.id_of(event.value.strip())
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
        self._collected = False
        now = time.monotonic()
        self._unsaved_seconds += min(now - self._last_key, IDLE_CAP_S)
        self._last_key = now
        if event.key == "escape" and self._prompt is not None:
            # Stopped here: the app would otherwise look the key up again on the article, which has
            # the focus by then, and its escape binding would collapse the match just selected.
            event.stop()
            self._close_prompt()

    @saving
    def _flush_time(self) -> None:
        if self.doc_id >= 0 and self._unsaved_seconds >= 1:
            self.store.progress.add_time(self.doc_id, self.layer_name, self._unsaved_seconds)
            self._unsaved_seconds = 0.0

    # --- garbage collection ----------------------------------------------------------------------
    # Python's automatic full collections took 15-60 ms here (a long article, its spans, the KB's learned
    # names, Textual's caches) and landed on keystrokes. While this screen is up the collector runs when
    # the keys pause (1 s), and at least every 30 s; reference counting frees everything else at once.

    def _start_collector(self) -> None:
        gc.disable()
        self._collected = False
        self.set_interval(IDLE_COLLECT_S / 2, self._collect_if_idle)
        self.set_interval(30, self._collect)

    def _collect_if_idle(self) -> None:
        if not self._collected and time.monotonic() - self._last_key >= IDLE_COLLECT_S:
            self._collect()

    def _collect(self) -> None:
        gc.collect()
        self._collected = True

    def on_unmount(self) -> None:
        gc.enable()
        self._flush_time()
        for lookup in (self._searcher, self._proposer):
            if lookup is not None:
                lookup.close()

    # --- suggestions and proposals ---------------------------------------------------------------

    def _load_kb(self) -> None:
        """In a thread: open (or build, the first time) the KB index, then start the look-up threads."""
        from annotator.kb import KnowledgeBase, index_folder

        try:
            with Store(self.store.path) as store:  # this thread's own connection
                kb = KnowledgeBase.open(
                    index_folder(store.path),
                    version=store.kb.version(),
                    rows=store.kb.rows(),
                    mentions=store.kb.learned_mentions(),
                )
        except Exception as err:
            self._from_thread(self._kb_failed, err)
            return
        self._from_thread(self._kb_ready, kb)

    def _from_thread(self, callback: Callable[..., object], *args: object, **kwargs: object) -> None:
        def deliver() -> None:
            if self.is_mounted and self.is_attached:  # not a screen being taken down
                callback(*args, **kwargs)

        with contextlib.suppress(RuntimeError):  # the app closed before the answer came
            self.app.call_from_thread(deliver)

    def _kb_failed(self, err: Exception) -> None:
        self.query_one(SuggestionList).show([], "no suggestions: the knowledge base did not load")
        self.notify(f"Knowledge base: {err}", severity="warning", markup=False)

    def _kb_ready(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._searcher = Lookup(self._search, self._deliver_search, self._lookup_failed, "kb-search")
        if self.PROPOSING:
            self._proposer = Lookup(self._propose, self._deliver_proposals, self._lookup_failed, "kb-propose")
            self._proposer.ask(self.doc_id)
        self._ask_suggestions()

    def _lookup_failed(self, question: object, err: Exception) -> None:
        self._from_thread(self.notify, f"Look-up failed: {err}", severity="warning", markup=False)

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
        assert self.kb is not None
        return [
            Shown(s.name, s.label, s.description, s.score, s.kb_id, s.learned)
            for s in self.kb.search(question[3], limit=9)
        ]

    def _deliver_search(self, question: Question, found: list[Shown]) -> None:
        self._from_thread(self._show_suggestions, question, found)

    def _show_suggestions(self, question: Question, found: list[Shown]) -> None:
        doc_id, start, end, text = question
        if (doc_id, (start, end)) != (self.doc_id, self.article.selection):
            return  # the selection moved on; its own answer is on the way
        shown = text if len(text) <= 24 else text[:23] + "…"
        if found:
            note = f"for “{shown}”: Enter takes 1"
        elif self.kb is not None and self.kb.index is None:
            note = "no KB yet: kb add-geonames"
        else:
            note = f"nothing close to “{shown}”"
        self.query_one(SuggestionList).show(found, note)

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
        """Saved spans teach the suggestions at once, and may propose the same text elsewhere."""
        if self.kb is None:
            return
        for span in spans:
            self.kb.learn(self.article.text[span.start : span.end], span.label, span.kb_id)
        if self.PROPOSING:
            self._propagate(spans)

    def _propagate(self, spans: list[Span]) -> None:
        """Propose each just-saved span's text at its other places in this document (same spelling,
        whole tokens), at once: a text search, not a new pre-annotation of the whole article (which
        took 150 ms of the interpreter on a 20,000-word article, felt on the keys typed meanwhile)."""
        from annotator.kb import Suggestion
        from annotator.suggest import Candidate

        text, tokens = self.article.text, self.article.tokens

        def whole_tokens(start: int, end: int) -> bool:
            first, last = token_index_at(tokens, start), token_index_at(tokens, end - 1)
            if first >= len(tokens) or last >= len(tokens):
                return False
            return tokens[first][0] == start and tokens[last][1] == end

        rejected = self.store.kb.rejected_suggestions(self.doc_id, self.layer_name)
        found: list[Candidate] = []
        for span in spans:
            needle = text[span.start : span.end]
            if needle[:1].islower() or not any(ch.isalpha() for ch in needle):
                continue  # a name starts with a capital (or is in a script without case)
            at = text.find(needle)
            last_end = -1  # occurrences come in order: one found must not overlap the one before
            while at != -1:
                end = at + len(needle)
                if (
                    at >= last_end
                    and whole_tokens(at, end)
                    and (at, end, span.label) not in rejected
                    and self.article.proposal_at(at, end) is None
                    and not self.article.spans_between(at, end)
                ):
                    last_end = end
                    taught = Suggestion(needle, needle, span.label, 100.0, span.kb_id, learned=1)
                    found.append(Candidate(at, end, needle, taught))
                at = text.find(needle, at + 1)
        if found:
            self._proposed = sorted([*self._proposed, *found], key=lambda c: c.start)
            self.article.add_proposals([c.span() for c in found])
            self._count_proposals()

    def _propose(self, doc_id: int) -> list[Candidate]:
        from annotator.suggest import propose

        assert self.kb is not None
        text = self.article.text if doc_id == self.doc_id else self.store.documents.get(doc_id).text
        return [c for c in propose(text, self.kb)]

    def _deliver_proposals(self, doc_id: int, found: list[Candidate]) -> None:
        self._from_thread(self._proposals_ready, doc_id, found)

    def _proposals_ready(self, doc_id: int, found: list[Candidate]) -> None:
        if doc_id == self.doc_id:
            self._proposed = found
            self._show_proposals()

    def _show_proposals(self) -> None:
        """The proposals not rejected and not overlapping one of the user's spans, dimmed in the article."""
        rejected = (
            self.store.kb.rejected_suggestions(self.doc_id, self.layer_name) if self._proposed else set()
        )
        open_ = [
            c.span()
            for c in self._proposed
            if (c.start, c.end, c.label) not in rejected and not self.article.spans_between(c.start, c.end)
        ]
        self.article.set_proposals(open_)
        self._count_proposals()

    def _count_proposals(self) -> None:
        count = len(self.article.proposals)
        text = f"{count} proposal{'s' * (count != 1)}: y/n/Y" if count else ""
        self.query_one(SuggestionList).show_proposals(text)

    @saving
    def action_proposal(self, accept: bool) -> None:
        """On a proposal: take (or reject) it and go to the next; elsewhere: go to the next one."""
        selection = self.article.selection
        if selection is None:
            return
        current = self.article.proposal_at(*selection)
        if current is None or (current.start, current.end) != selection:
            following = self.article.next_proposal(selection[0])
            if following is not None:
                self.article.select_offsets(following.start, following.end)
            return
        if accept:
            saved = as_accepted([current])
            self.store.edits.edit(self.doc_id, self.layer_name, add=saved)
            self._apply([], saved)
            self._learn(saved)
        else:
            start, end, label = current.start, current.end, current.label
            self.store.kb.reject_suggestion(self.doc_id, self.layer_name, start, end, label)
        self.article.remove_proposals([current])
        self._count_proposals()
        following = self.article.next_proposal(current.end)
        if following is not None:
            self.article.select_offsets(following.start, following.end)

    @saving
    def action_accept_all(self) -> None:
        proposals = list(self.article.proposals)
        if not proposals:
            return
        saved = as_accepted(proposals)
        self.store.edits.edit(self.doc_id, self.layer_name, add=saved)
        self.article.remove_proposals(proposals)
        self._apply([], saved)
        self._learn(saved)
        self._count_proposals()
        self.notify(f"Took {len(saved)} proposal(s); u undoes them together", timeout=3)
