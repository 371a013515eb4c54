"""Editing the layer's spans on a document screen: tag, remove, move an edge, undo and redo, each handed
to the writer (``WritingScreen``) and shown once it is saved."""

from __future__ import annotations

from annotator.model import Label, Span
from annotator.spans import innermost, moved_edge, overlaps
from annotator.store import Store
from annotator.store.edits import LayerState
from annotator.tui.screens.guards import saving
from annotator.tui.screens.writing import WritingScreen
from annotator.tui.widgets.status_line import change_note


def described(label: str, text: str) -> str:
    """A span as a pending or failed write names it: ``PLACE “Gubadli”``."""
    words = " ".join(text.split())
    return f"{label} “{words if len(words) <= 30 else words[:29] + '…'}”"


class EditingScreen(WritingScreen):
    """What ``DocumentScreen`` gives these actions: the document, the layer, the spans shown."""

    store: Store
    doc_id: int
    layer_name: str
    user: str
    labels: list[Label]
    spans: list[Span]

    def sync(self) -> bool:
        raise NotImplementedError

    def _apply(self, removed: list[Span], added: list[Span]) -> None:
        raise NotImplementedError

    def _reload_spans(self) -> None:
        raise NotImplementedError

    def history_replayed(self) -> None:
        raise NotImplementedError

    def action_tag(self, position: int) -> None:
        if position < len(self.labels):
            self._tag(self.labels[position].name)

    @saving
    def _tag(self, label: str, kb_id: str | None = None, source: str = "manual") -> None:
        """Tag the selection (again: change its label, one span per extent); a suggestion also links it
        to ``kb_id``."""
        selection = self.article.selection
        if selection is None:
            self.say("No text to tag")
            return
        self.sync()
        start, end = selection
        under = self.article.spans_between(start, end)
        same_place = [s for s in under if s.start == start and s.end == end]
        if any(s.label == label and (source == "manual" or s.kb_id == kb_id) for s in same_place):
            self.say(f"Already {label}")
            return
        # a wider selection over spans of the label takes their place (it does not nest a second one)
        inside = [
            s for s in under if s.label == label and start <= s.start and s.end <= end and s not in same_place
        ]
        doc_id, layer, user = self.doc_id, self.layer_name, self.user
        span = Span(start, end, label, kb_id, source)
        self.write(
            f"tag {described(label, self.article.text[start:end])}",
            lambda store: store.edits.tag(doc_id, layer, [span], who=user, replacing=inside),
            lambda changed: self._saved(*changed, doc_id=doc_id),
        )

    def _saved(self, removed: list[Span], added: list[Span], *, doc_id: int) -> bool:
        """Show an edit of document ``doc_id`` this screen saved (nothing when it changed nothing, or
        when another document is open now: it shows its spans as they are). False when not shown."""
        if doc_id != self.doc_id:
            return False
        if removed or added:
            shown = {(s.start, s.end, s.label) for s in self.spans}
            if any((s.start, s.end, s.label) not in shown for s in removed):
                self._reload_spans()  # another window changed what the edit replaced: show it whole
                return True
            self._data_version = self.store.data_version()
            self._status_note = None
            self._apply(removed, added)
        return True

    @saving
    def action_remove(self) -> None:
        """The span selected exactly, else the innermost under the cursor, else every span inside a wider
        selection; where there is none it says so."""
        selection = self.article.selection
        if selection is None:
            return
        self.sync()
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
        doc_id, layer, user = self.doc_id, self.layer_name, self.user
        text = self.article.text
        said = f"{len(exact)} spans" if len(exact) > 1 else described(exact[0].label, text[start:end])

        def shown(removed: list[Span]) -> None:
            if not removed:
                if doc_id == self.doc_id:
                    self._reload_spans()
                    self.say("Removed already")
            elif self._saved(removed, [], doc_id=doc_id):
                self.say(
                    f"Removed {len(removed)} spans" if len(removed) > 1 else f"Removed {removed[0].label}"
                )

        self.write(
            f"remove {said}",  # those still there: a key pressed twice while pending finds them gone
            lambda store: store.edits.remove_present(doc_id, layer, exact, who=user),
            shown,
        )

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
        self.sync()
        span = innermost(covering)
        moved = moved_edge(span, article.tokens, side, delta)
        if moved is None or any(s.start == moved.start and s.end == moved.end for s in self.spans):
            self.say(f"The {'start' if side < 0 else 'end'} of {span.label} cannot move that way")
            return
        doc_id, layer, user = self.doc_id, self.layer_name, self.user

        def shown(moved_it: bool) -> None:
            if not moved_it:
                if doc_id == self.doc_id:
                    self._reload_spans()
                    self.say(f"{span.label} is not there any more: nothing moved")
            elif self._saved([span], [moved], doc_id=doc_id):
                article.select_offsets(moved.start, moved.end)
                self.say(f"{moved.label}: {' '.join(article.text[moved.start : moved.end].split())}")

        self.write(
            f"move the edge of {described(span.label, article.text[span.start : span.end])}",
            lambda store: store.edits.move(doc_id, layer, span, moved, who=user),
            shown,
        )

    @saving
    def action_undo(self, redo: bool = False) -> None:
        """Undo (or redo) the latest edit, say what it was and go to it (after the writes before it)."""
        self.sync()
        doc_id, layer = self.doc_id, self.layer_name

        def shown(change: tuple[LayerState, LayerState] | None) -> None:
            if self.doc_id != doc_id:
                return
            if change is None:
                self.say(f"Nothing to {'redo' if redo else 'undo'}")
                return
            self._status_note = None
            self.history_replayed()
            self._reload_spans()
            note, where = change_note("Redid" if redo else "Undid", self.article.text, *change)
            if where is not None:
                self.article.select_offsets(*where)
            self.say(note)

        self.write("redo" if redo else "undo", lambda store: store.edits.step(doc_id, layer, redo), shown)
