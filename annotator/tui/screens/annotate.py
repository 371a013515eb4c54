"""The annotation screen: one annotator's layer on one document at a time, with proposals.

Proposals (pre-annotation, ``annotator.suggest.propose_all``: the user's model, or the starter model,
over the KB's and learned text's proposals) are computed in a look-up thread for each document opened,
and again whenever the layer's spans change (what they learn from changed), and shown dimmed in the
article: what ``annotator suggest`` lists for the document. ``y``/``X`` take or reject the one selected
(both undoable), ``Y`` takes them all; the suggestions panel says why the selected one is proposed
(source and confidence). A span the user saves is proposed at once at its other places in the document,
before the thread's answer comes.

Marking a document done retrains the user's model in the background (``workers.Retrainer``: a child
process); the proposals shown stay until the new model's arrive, and keys go on meanwhile.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult

from annotator.keymap import ANNOTATE_SCREEN
from annotator.literal import literal
from annotator.model import Label, Span
from annotator.store import Store
from annotator.tui.bindings import key_bindings
from annotator.tui.messages import ProposalsFound
from annotator.tui.proposals import covering, overlapping, repeats
from annotator.tui.screens.deciding import ProposalDecisions
from annotator.tui.screens.document import saving, while_shown
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.suggestion_list import SuggestionList
from annotator.tui.widgets.title_bar import TitleBar
from annotator.tui.workers import Lookup, Retrainer

if TYPE_CHECKING:
    from annotator.suggest import Candidate
    from annotator.tagger import Tagger
    from annotator.tui.messages import ModelRetrained

ProposalQuestion = tuple[int, str, int, tuple[tuple[int, int, str], ...]]
"""Proposals for a document: ``(doc_id, text, offset, tagged)``, the text from ``offset`` of the
document's (all of it, or the window around the cursor of a long one), and the annotator's spans in it
``(start, end, label)`` (offsets in that text): the in-document memory proposes them again at their
other places with the label the annotator chose."""
PROPOSAL_WINDOW = 200_000
"""Characters of a document proposed for at once: a longer text (a 10 MB article) gets proposals for the
window around the cursor, asked again when the cursor nears the window's edge (proposing 10 MB took 30 s
of the interpreter and 2 GB). A 20,000-word article is proposed for whole."""
PROPOSE_AGAIN_DELAY_S = 0.5
"""After an edit, the document's proposals are computed again once the keys have paused this long, or
:data:`PROPOSE_AGAIN_PAUSES` times as long as proposing the document took last (a 19,000-word article
full of names takes a second, holding the interpreter the keys need meanwhile)."""
PROPOSE_AGAIN_PAUSES = 4
REPEATS_NEAR = 20_000
"""In a text longer than the window, a saved span is proposed at once at its other places this near it
(characters): the rest of the window has them with its next proposals, after the keys pause."""
_WHITESPACE = re.compile(r"\s")


class AnnotateScreen(ProposalDecisions):
    BINDINGS = key_bindings(ANNOTATE_SCREEN)
    HELP_TITLE = "Annotation screen"

    def __init__(
        self,
        store: Store,
        user: str,
        doc_ids: list[int],
        index: int = 0,
        learn_from_others: bool = False,
        threshold: float = 0.5,
        use_model: bool = True,
    ) -> None:
        super().__init__(store, user, user, doc_ids, index, learn_from_others)
        self._proposer: Lookup[ProposalQuestion, list[Candidate]] | None = None
        self._assigned = {d for d, users in store.teams.assignments().items() if user in users}
        """The documents assigned to the user (none without ``annotator assign``)."""
        self._asked_empty_done = (-1, -1)
        """``(doc_id, key count)`` when done was asked for a document without spans."""
        self._proposed: list[Candidate] = []
        self._propose_seconds = 0.0
        """How long proposing the document took last (in the look-up thread)."""
        """This document's candidates as proposed (before the user's spans and rejections are removed)."""
        self.threshold = threshold
        """The model's proposals below this confidence are not shown (``[suggest] threshold``)."""
        self.use_model = use_model
        self.model_data: bytes | None = None
        """The model proposing (the user's, or the starter): swapped when a retrain gives a better one."""
        self.model_described = ""
        self._proposer_tagger: tuple[bytes, Tagger] | None = None
        """The proposer thread's own tagger, for the model bytes it was made from (only that thread)."""
        self.retrainer = Retrainer(store.path, user, self)
        self._window = (0, 0)
        """The part of the document proposals were last asked for."""

    def label_keys(self, position: int, label: Label) -> list[str]:
        """A label's key, and the digit of its position."""
        return [label.key, str(position + 1)]

    def side_panels(self) -> ComposeResult:
        yield SuggestionList(id="suggestions")
        yield EntityPanel(id="entities")

    def start(self) -> None:
        if self.doc_ids:
            self.open_document(self.index)
            self.call_after_refresh(self.start_loading_kb)  # after the first frame: it imports numpy

    def _show_title(self) -> None:
        self._shown_status = self.store.progress.status(self.doc_id, self.layer_name)
        statuses = self.store.progress.statuses(self.layer_name)
        mine = self._assigned or set(self.doc_ids)
        done = sum(statuses.get(doc_id) == "done" for doc_id in mine)
        of = f"{done} of {len(mine)} assigned done" if self._assigned else f"{done} of {len(mine)} done"
        self.query_one(TitleBar).show(
            [
                (Text("annotator", "bold"), 5),
                (Text(f"document {self.index + 1} of {len(self.doc_ids)}"), 0),
                (Text(literal(self.doc_key), "bold"), 1),
                (Text(f"[{self._shown_status.replace('_', ' ')}]"), 2),
                (Text(of), 3),
                (Text.assemble("user: ", (literal(self.user), "bold")), 4),
            ]
        )

    @saving
    def action_done(self) -> None:
        """Mark the document done and open the next unfinished; a document without a span asks first
        (the same key again, straight after, says yes)."""
        if not self.spans and self._asked_empty_done != (self.doc_id, self.keys_pressed - 1):
            self._asked_empty_done = (self.doc_id, self.keys_pressed)
            self.say("No spans in this document: d again marks it done with none")
            return
        # the retrain starts once "done" is saved, so the document it was asked for is among its data
        self._open_next_unfinished(
            "Every document is done", self.retrainer.request if self.use_model else None
        )

    # --- proposals ---------------------------------------------------------------------------------

    def document_opened(self) -> None:
        self._proposed = []
        self._show_proposals()
        if self._proposer is not None:
            self._proposer.ask(self._proposal_question())

    def spans_changed(self, removed: list[Span], added: list[Span]) -> None:
        """The proposals follow: those where spans changed are shown or hidden again (none over a
        span), the saved ones proposed at their other places at once, and all of them computed again
        from what the spans teach now, once the keys pause."""
        self._show_proposals_near([(s.start, s.end) for s in [*removed, *added]])
        if self.kb is not None and added:
            self._propagate(added)
        if self._proposer is not None:
            delay = max(PROPOSE_AGAIN_DELAY_S, PROPOSE_AGAIN_PAUSES * self._propose_seconds)
            self._proposer.ask(self._proposal_question(), delay)

    def _reload_spans(self) -> None:
        """After undo or redo (a rejection's too) or a change in another window: every proposal again."""
        super()._reload_spans()
        self._show_proposals()

    def _show_proposals_near(self, ranges: list[tuple[int, int]]) -> None:
        """:meth:`_show_proposals` for the proposals overlapping ``ranges`` only (the article's lines
        there redraw): an edit changes nothing elsewhere."""
        if not ranges:
            return
        from annotator.suggest import open_proposals

        article = self.article
        rejected = self.store.kb.rejected_suggestions(self.doc_id, self.layer_name)
        candidates = overlapping(self._proposed, ranges)
        found = open_proposals(candidates, rejected, self._covered, self._nests(candidates))
        wanted = {_key(c.span()): c.span() for c in found}
        shown = {_key(p): p for p in overlapping(article.proposals, ranges)}
        gone = [p for key, p in shown.items() if key not in wanted]
        if gone:
            article.remove_proposals(gone)
        article.add_proposals([p for key, p in wanted.items() if key not in shown])
        self._count_proposals()

    def _covered(self, start: int, end: int) -> bool:
        return bool(self.article.spans_between(start, end))

    def _nests(self, candidates: list[Candidate]) -> Callable[[int, int], bool]:
        """Whether a name inside a name among ``candidates`` lies inside the spans it overlaps
        (:func:`annotator.memory.nests_in` of the spans where those are)."""
        from annotator.memory import nests_in

        inner = [c for c in candidates if c.nested]
        if not inner:
            return lambda start, end: False
        spans = self.article.spans_between(min(c.start for c in inner), max(c.end for c in inner))
        return nests_in((s.start, s.end) for s in spans)

    def sync(self) -> bool:
        """Also the rejections another window made (or undid)."""
        looked = super().sync()
        if looked:
            self._show_proposals()
        return looked

    def kb_ready(self) -> None:
        from annotator.training import current_model

        assert self.kb is not None
        if self.use_model:
            stored = self.store.models.current(self.user)
            self.model_data, self.model_described = current_model(stored, self.kb.index is not None)
        self._proposer = Lookup(
            self._propose, lambda question, found: ProposalsFound(question[0], found), self, "kb-propose"
        )
        self._lookups.append(self._proposer)
        self._proposer.ask(self._proposal_question())

    def _propose(self, question: ProposalQuestion) -> list[Candidate]:
        """In the look-up thread."""
        from annotator.suggest import propose_all
        from annotator.tagger import Tagger

        assert self.kb is not None
        data = self.model_data
        tagger = None
        if data is not None:
            if self._proposer_tagger is None or self._proposer_tagger[0] is not data:
                self._proposer_tagger = (data, Tagger(data))
            tagger = self._proposer_tagger[1]
        started = time.perf_counter()
        found = propose_all(question[1], self.kb, tagger, self.threshold, question[3])
        self._propose_seconds = time.perf_counter() - started
        offset = question[2]
        return [replace(c, start=c.start + offset, end=c.end + offset) for c in found] if offset else found

    def _proposal_question(self) -> ProposalQuestion:
        """The document's text to propose for: all of it, or of a long one the window around the cursor
        (cut at whitespace, so that no token is cut)."""
        text = self.article.text
        if len(text) <= PROPOSAL_WINDOW:
            self._window = (0, len(text))
            return (self.doc_id, text, 0, tagged_between(self.spans, 0, len(text)))
        selection = self.article.selection
        middle = selection[0] if selection is not None else 0
        start = min(max(middle - PROPOSAL_WINDOW // 2, 0), len(text) - PROPOSAL_WINDOW)
        end = start + PROPOSAL_WINDOW
        found = _WHITESPACE.search(text, start) if start else None
        start = found.start() if found is not None and found.start() < middle else start
        found = _WHITESPACE.search(text, end) if end < len(text) else None
        end = found.start() if found is not None else len(text)
        self._window = (start, end)
        return (self.doc_id, text[start:end], start, tagged_between(self.spans, start, end))

    def _window_left(self) -> bool:
        """Whether the cursor is in the outer quarters of a long text's proposal window (or out of it),
        the ends of the text aside."""
        start, end = self._window
        size = len(self.article.text)
        selection = self.article.selection
        if selection is None or size <= PROPOSAL_WINDOW:
            return False
        margin = (end - start) // 4
        low = start + margin if start > 0 else 0
        high = end - margin if end < size else size
        return not low <= selection[0] < high

    @while_shown
    def on_model_retrained(self, message: ModelRetrained) -> None:
        """A better model is swapped in and this document's proposals asked for again; the ones shown stay
        until the new ones arrive."""
        if message.error:
            self.notify(f"Retraining the model: {message.error}", severity="warning", markup=False)
            return
        model = message.model
        if model is None or model.data == self.model_data:
            # The current model stays (the new one did not beat it, or is the same): say so and why, in
            # train's own words, so that a retrain is never silent.
            if message.summary:
                self.notify(message.summary[:1].upper() + message.summary[1:], timeout=4, markup=False)
            return
        from annotator.training import current_model

        self.model_data, self.model_described = current_model(model)
        if self._proposer is not None:
            self._proposer.ask(self._proposal_question())
        self.notify(f"New proposal model ({self.model_described})", timeout=3, markup=False)

    @while_shown
    def on_proposals_found(self, message: ProposalsFound) -> None:
        if message.doc_id == self.doc_id:
            self._proposed = message.found
            self._show_proposals()

    def _show_proposals(self) -> None:
        """The proposals not rejected and not overlapping one of the user's spans, dimmed in the article."""
        article = self.article
        after: dict[tuple[int, int, str, str | None], Candidate] = {}
        if self._proposed:  # there are none before the KB has loaded (and suggest imports numpy)
            from annotator.suggest import open_proposals

            rejected = self.store.kb.rejected_suggestions(self.doc_id, self.layer_name)
            covered = covering(self.article.spans)
            for c in open_proposals(self._proposed, rejected, covered, self._nests(self._proposed)):
                after[c.start, c.end, c.label, c.kb_id] = c
        before = {_key(p): p for p in article.proposals}
        gone = [before[key] for key in before.keys() - after.keys()]
        came = [after[key].span() for key in after.keys() - before.keys()]  # a span made for the new only
        article.change_proposals(gone, came)  # the lines they are on redraw, not the whole article
        self._count_proposals()
        self._show_status()  # the proposal at the selection may have come or gone

    def _count_proposals(self) -> None:
        count = len(self.article.proposals)
        text = f"{count} proposal{'s' * (count != 1)}: {self._proposal_keys()}" if count else ""
        self.query_one(SuggestionList).show_proposals(text, self._why_selected())

    def _selection_moved(self) -> None:
        super()._selection_moved()
        if self._proposer is not None and self._window_left():
            self._proposer.ask(self._proposal_question())
        self.query_one(SuggestionList).show_proposals(
            self.query_one(SuggestionList).proposals, self._why_selected()
        )

    def _why_selected(self) -> str:
        """Why the proposal selected is proposed (``why: model 0.83 + kb → Qubadlı``); empty elsewhere."""
        selection = self.article.selection
        if selection is None:
            return ""
        current = self.article.proposal_at(*selection)  # the one y takes, as the status line says
        if current is None:
            return ""
        for c in overlapping(self._proposed, [selection]):  # sorted by start: found by bisection
            if (c.start, c.end, c.label) == (current.start, current.end, current.label):
                link = f" → {c.name}" if c.kb_id else ""
                return f"why: {c.because}{link}"
        return ""

    def _propagate(self, spans: list[Span]) -> None:
        article = self.article
        rejected = self.store.kb.rejected_suggestions(self.doc_id, self.layer_name)

        def free(start: int, end: int) -> bool:
            return article.proposal_at(start, end) is None and not article.spans_between(start, end)

        within = None
        if len(article.text) > PROPOSAL_WINDOW:  # near the saved spans: the window's others come later
            low, high = min(s.start for s in spans) - REPEATS_NEAR, max(s.end for s in spans) + REPEATS_NEAR
            within = (max(low, self._window[0]), min(high, self._window[1]))
        found = repeats(article.text, article.tokens, spans, rejected, free, within)
        if found:
            self._proposed = sorted([*self._proposed, *found], key=lambda c: c.start)
            article.add_proposals([c.span() for c in found])
            self._count_proposals()


def _key(proposal: Span) -> tuple[int, int, str, str | None]:
    return (proposal.start, proposal.end, proposal.label, proposal.kb_id)


def tagged_between(spans: list[Span], start: int, end: int) -> tuple[tuple[int, int, str], ...]:
    """The spans between ``start`` and ``end`` as ``(start, end, label)`` from ``start`` on (copied in the
    screen's thread for the proposer's)."""
    return tuple(
        (s.start - start, s.end - start, s.label) for s in spans if start <= s.start and s.end <= end
    )
