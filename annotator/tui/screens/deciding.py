"""Deciding on the proposals shown: take or reject the one selected and go to the next (``y``/``X``),
take those of the cursor's sentence and go on to the next sentence's (``A``), or take them all
(``Y``). Each is one edit (``u`` undoes it whole). The base of ``AnnotateScreen``, which computes and
shows the proposals."""

from __future__ import annotations

from annotator.keymap import ACCEPT_ALL, ACCEPT_PROPOSAL, ACCEPT_SENTENCE, REJECT_PROPOSAL
from annotator.model import Span
from annotator.store.edits import as_accepted
from annotator.text import sentence_around
from annotator.tui.jumps import name_from
from annotator.tui.proposals import overlapping
from annotator.tui.screens.document import DocumentScreen, saving
from annotator.tui.screens.editing import described
from annotator.wording import counted


class ProposalDecisions(DocumentScreen):
    def _count_proposals(self) -> None:
        """Show how many proposals are open (``AnnotateScreen``)."""
        raise NotImplementedError

    def _proposal_keys(self) -> str:
        actions = (ACCEPT_PROPOSAL, REJECT_PROPOSAL, ACCEPT_ALL, ACCEPT_SENTENCE)
        return "/".join(a.keys.split(",")[0] for a in actions)

    @saving
    def action_proposal(self, accept: bool) -> None:
        """On a proposal: take (or reject) it and go to the next; elsewhere: go to the next one."""
        selection = self.article.selection
        if selection is None:
            return
        if not self.article.proposals:
            self.say("No proposals open on this document")
            return
        current = self.article.proposal_at(*selection)
        if current is None or (current.start, current.end) != selection:
            following = self.article.next_proposal(selection[0])
            if following is not None:
                self.article.select_offsets(following.start, following.end)
                self.say(f"On a proposal ({following.label}): {self._proposal_keys()}")
            return
        self.sync()
        doc_id, layer, user = self.doc_id, self.layer_name, self.user
        said = described(current.label, self.article.text[current.start : current.end])
        if accept:
            self.write(
                f"take {said}",
                lambda store: store.edits.tag(doc_id, layer, as_accepted([current])),
                lambda changed: self._saved(*changed, doc_id=doc_id),
            )
        else:
            self.write(
                f"reject {said}",
                lambda store: store.edits.reject(doc_id, layer, [current], who=user),
                lambda _: self._rejected(doc_id),
            )
        # the proposal is no longer offered at once (a write that fails shows every proposal again)
        self.article.remove_proposals([current])
        self._count_proposals()
        following = self.article.next_proposal(current.end)
        if following is not None:
            self.article.select_offsets(following.start, following.end)

    def action_name(self, step: int) -> None:
        """Select the next (``step`` 1) or previous (-1) name no span holds (:mod:`annotator.tui.jumps`)."""
        article = self.article
        if not article.tokens:
            return
        first, last = sorted((article.anchor_token, article.cursor))
        # Proposed names too: a label key or y takes them (skipping them scored 1.80 keys a span, not 1.77).
        found = name_from(article.text, article.tokens, article.spans, first, last, step)
        if found is None:
            self.say(f"No name {'after' if step > 0 else 'before'} this one that no span holds")
            return
        article.select_tokens(*found)

    @saving
    def action_accept_all(self) -> None:
        self.sync()
        proposals = list(self.article.proposals)
        if not proposals:
            self.say("No proposals open on this document")
            return
        self._take_proposals(proposals)

    @saving
    def action_accept_sentence(self) -> None:
        """Take the proposals in the cursor's sentence, then select the first proposal after it (one
        key for a sentence whose proposals are right, as Prodigy takes a sentence's spans at once)."""
        article = self.article
        if not article.tokens:
            return
        if not article.proposals:
            self.say("No proposals open on this document")
            return
        first, last = sentence_around(article.text, article.tokens, article.cursor)
        start, end = article.tokens[first][0], article.tokens[last - 1][1]
        self.sync()
        proposals = overlapping(list(article.proposals), [(start, end)])
        if not proposals:
            self.say("No proposals in this sentence")
            return
        self._take_proposals(proposals, "in the sentence")
        following = article.next_proposal(end)
        if following is not None:
            article.select_offsets(following.start, following.end)

    def _take_proposals(self, proposals: list[Span], where: str = "") -> None:
        """Accept ``proposals`` in one edit (``u`` undoes them together); ``where`` says which."""
        doc_id, layer = self.doc_id, self.layer_name
        where = f" {where}" if where else ""

        def shown(changed: tuple[list[Span], list[Span]]) -> None:
            if self._saved(*changed, doc_id=doc_id):
                self._count_proposals()
                self.notify(
                    f"Took {counted(len(changed[1]), 'proposal')}{where}; u undoes them together", timeout=3
                )

        self.write(
            f"take {len(proposals)} proposals{where}",
            lambda store: store.edits.tag(doc_id, layer, as_accepted(proposals)),
            shown,
        )
        self.article.remove_proposals(proposals)
        self._count_proposals()

    def _rejected(self, doc_id: int) -> None:
        """A rejection of this screen is saved: it is not another window's change."""
        if doc_id == self.doc_id:
            self._data_version = self.store.data_version()
