"""The suggestions for the selection: the KB (and what the layer's learning sources teach) loaded in a
thread, looked up in another as the selection moves, taken with Enter or a digit; and what saved and
removed spans teach, kept equal to the layer's spans as they are now. The base of ``DocumentScreen``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from annotator.literal import literal, visible
from annotator.model import Span
from annotator.store import Store
from annotator.tui.keystrokes import IdleCollector
from annotator.tui.messages import KbFailed, KbLoaded, LookupFailed, Question, SuggestionsFound
from annotator.tui.screens.article_screen import ArticleScreen
from annotator.tui.screens.guards import while_shown
from annotator.tui.widgets.suggestion_list import (
    MAX_SHOWN,
    MIN_ENTER_SCORE,
    Shown,
    SuggestionList,
    suggestions_note,
    takes_first,
)
from annotator.tui.workers import Lookup, load_kb

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase

MAX_QUERY = 80
"""A selection longer than this (characters) is not a name: no look-up."""
ASK_AFTER_S = 0.02
"""A selection's question is put to the look-up thread this long after the selection moved, once the
key's frame is written: waking the thread took part of the key's time, and right after the frame it
held up the thread that writes it. The answer is due when it was (``SEARCH_DELAY_S`` after the move)."""
SEARCH_DELAY_S = 0.12
"""Suggestions are looked up once the selection has stayed this long (not for every step of a drag)."""


class SuggestingScreen(ArticleScreen):
    """What the document screens have of suggestions; they set the attributes below."""

    store: Store
    layer_name: str
    learn_from_others: bool
    doc_id: int
    kb: KnowledgeBase | None
    _searcher: Lookup[Question, list[Shown]] | None
    _lookups: list[Lookup[Any, Any]]
    _untaught: list[tuple[float, str, str, str | None, int]]
    """Changes to the spans before the KB loaded: ``(when, text, label, kb_id, count)``."""
    _collector: IdleCollector
    _question: Question | None = None
    """The selection's question for the look-up thread, until it is put to it."""
    _asking: bool = False
    """Whether the question is to be put (a timer is set)."""

    def kb_ready(self) -> None:
        """Called when the KB has loaded, before the first look-up of suggestions."""

    def _tag(self, label: str, kb_id: str | None = None, source: str = "manual") -> None:
        raise NotImplementedError

    def start_loading_kb(self) -> None:
        load_kb(self.store.path, self, self.layer_name, self.learn_from_others)

    @while_shown
    def on_kb_failed(self, message: KbFailed) -> None:
        self.query_one(SuggestionList).show([], "no suggestions: the knowledge base did not load")
        self.notify(literal(f"Knowledge base: {message.error}"), severity="warning", markup=False)

    @while_shown
    def on_kb_loaded(self, message: KbLoaded) -> None:
        self.kb = message.kb
        for at, text, label, kb_id, count in self._untaught:
            if at > message.read_at:  # saved or removed after the load read what spans teach
                self.kb.learn(text, label, kb_id, count)
        self._untaught = []
        self._collector.freeze()  # the KB lives as long as the screen: no collection traverses it
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
            self._question = None
            return
        self._question = (self.doc_id, start, end, text)
        if not self._asking:  # put to the look-up thread once the frame is out (see ASK_AFTER_S)
            self._asking = True
            self.set_timer(ASK_AFTER_S, self._ask_now)

    def _ask_now(self) -> None:
        self._asking = False
        if self._searcher is not None and self._question is not None:
            self._searcher.ask(self._question, SEARCH_DELAY_S - ASK_AFTER_S)

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

    def _teach(self, removed: list[Span], added: list[Span]) -> None:
        """What suggestions learn is the layer's spans as they are now: a saved span teaches at once,
        a removed (or undone) one no longer does. Before the KB has loaded, the change is kept until it
        has (unless the load read it already)."""
        text = self.article.text
        now = time.monotonic()
        for spans, count in ((removed, -1), (added, 1)):
            for span in spans:
                mention = text[span.start : span.end]
                if self.kb is None:
                    self._untaught.append((now, mention, span.label, span.kb_id, count))
                else:
                    self.kb.learn(mention, span.label, span.kb_id, count)
