"""The annotation screen: one annotator's layer on one document at a time, with the KB's proposals.

Proposals (pre-annotation, ``annotator.suggest.propose``) are computed in a look-up thread for each
document opened and shown dimmed in the article; ``y``/``n`` take or reject the one selected, ``Y``
takes them all. A span the user saves is proposed at once at its other places in the document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from annotator.keymap import ANNOTATE_SCREEN
from annotator.literal import literal
from annotator.model import Label, Span
from annotator.store import Store
from annotator.store.edits import as_accepted
from annotator.tui.bindings import key_bindings
from annotator.tui.messages import ProposalsFound
from annotator.tui.proposals import repeats
from annotator.tui.screens.document import DocumentScreen, saving, while_shown
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.suggestion_list import SuggestionList
from annotator.tui.workers import Lookup

if TYPE_CHECKING:
    from annotator.suggest import Candidate

ProposalQuestion = tuple[int, str]
"""Proposals for a document: ``(doc_id, text)``."""


class AnnotateScreen(DocumentScreen):
    BINDINGS = key_bindings(ANNOTATE_SCREEN)

    def __init__(self, store: Store, user: str, doc_ids: list[int], index: int = 0) -> None:
        super().__init__(store, user, user, doc_ids, index)
        self._proposer: Lookup[ProposalQuestion, list[Candidate]] | None = None
        self._proposed: list[Candidate] = []
        """This document's candidates as proposed (before the user's spans and rejections are removed)."""

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
        status = self._shown_status.replace("_", " ")
        title = Text.assemble(
            ("annotator", "bold"),
            f"  document {self.index + 1} of {len(self.doc_ids)}  ",
            (literal(self.doc_key), "bold"),
            f"  [{status}]  user: ",
            (literal(self.user), "bold"),
        )
        self.query_one("#title", Static).update(title, layout=False)

    @saving
    def action_done(self) -> None:
        self._open_next_unfinished("Every document is done")

    # --- proposals ---------------------------------------------------------------------------------

    def document_opened(self) -> None:
        self._proposed = []
        self._show_proposals()
        if self._proposer is not None:
            self._proposer.ask((self.doc_id, self.article.text))

    def _reload_spans(self) -> None:
        super()._reload_spans()
        self._show_proposals()

    def kb_ready(self) -> None:
        self._proposer = Lookup(
            self._propose, lambda question, found: ProposalsFound(question[0], found), self, "kb-propose"
        )
        self._lookups.append(self._proposer)
        self._proposer.ask((self.doc_id, self.article.text))

    def _propose(self, question: ProposalQuestion) -> list[Candidate]:
        """In the look-up thread."""
        from annotator.suggest import propose

        assert self.kb is not None
        return list(propose(question[1], self.kb))

    @while_shown
    def on_proposals_found(self, message: ProposalsFound) -> None:
        if message.doc_id == self.doc_id:
            self._proposed = message.found
            self._show_proposals()

    def _show_proposals(self) -> None:
        """The proposals not rejected and not overlapping one of the user's spans, dimmed in the article."""
        article = self.article
        shown: list[Span] = []
        if self._proposed:  # there are none before the KB has loaded (and suggest imports numpy)
            from annotator.suggest import open_proposals

            rejected = self.store.kb.rejected_suggestions(self.doc_id, self.layer_name)

            def covered(start: int, end: int) -> bool:
                return bool(article.spans_between(start, end))

            shown = [c.span() for c in open_proposals(self._proposed, rejected, covered)]
        article.set_proposals(shown)
        self._count_proposals()

    def _count_proposals(self) -> None:
        count = len(self.article.proposals)
        text = f"{count} proposal{'s' * (count != 1)}: y/n/Y" if count else ""
        self.query_one(SuggestionList).show_proposals(text)

    def _learn(self, spans: list[Span]) -> None:
        """Saved spans teach the suggestions, and are proposed at their other places in this document."""
        super()._learn(spans)
        if self.kb is not None:
            self._propagate(spans)

    def _propagate(self, spans: list[Span]) -> None:
        article = self.article
        rejected = self.store.kb.rejected_suggestions(self.doc_id, self.layer_name)

        def free(start: int, end: int) -> bool:
            return article.proposal_at(start, end) is None and not article.spans_between(start, end)

        found = repeats(article.text, article.tokens, spans, rejected, free)
        if found:
            self._proposed = sorted([*self._proposed, *found], key=lambda c: c.start)
            article.add_proposals([c.span() for c in found])
            self._count_proposals()

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
