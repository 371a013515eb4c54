"""The review screen: disagreements between finished layers, resolved into the gold layer.

A document screen on layer ``gold`` (the same keys edit by hand: tag, remove, undo, search), with the
documents in review order (disagreements first, the least agreed first) and a panel of the current
document's disagreements. Opening a document puts the spans every finished layer agrees on into gold
at once; each decision is one step in gold's action log, so ``u`` takes it back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from annotator.agreement import Disagreement, DocumentReview, review_document
from annotator.keymap import REVIEW_SCREEN
from annotator.literal import literal
from annotator.model import GOLD, Label, Span, SpanKey
from annotator.review import agreed_spans, decision
from annotator.store import Store
from annotator.tui.bindings import key_bindings
from annotator.tui.messages import ReviewOrdered, ReviewOrderFailed
from annotator.tui.screens.document import DocumentScreen, saving, while_shown
from annotator.tui.widgets.disagreement_panel import DisagreementPanel, Item, Version
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.suggestion_list import SuggestionList
from annotator.tui.widgets.title_bar import TitleBar
from annotator.tui.workers import order_review
from annotator.wording import counted

MIN_HEIGHT_FOR_ENTITIES = 32
"""Below this many rows the review screen has no entity panel (the disagreements need the room)."""


class ReviewScreen(DocumentScreen):
    BINDINGS = key_bindings(REVIEW_SCREEN)
    HELP_TITLE = "Review screen"

    def __init__(self, store: Store, user: str, learn_from_others: bool = False) -> None:
        super().__init__(store, user, GOLD, [], 0, learn_from_others)
        self.agreement: dict[int, float] = {}
        self.review: DocumentReview | None = None
        self.current = 0
        self.decided: set[tuple[int, int, int]] = set()
        """``(doc_id, start, end)`` of disagreements decided in this session (also 'none of them')."""
        self.agreed_added = 0

    def label_keys(self, position: int, label: Label) -> list[str]:
        """A label's key only: the digits take a layer's version here."""
        return [label.key]

    def side_panels(self) -> ComposeResult:
        yield DisagreementPanel(id="disagreements")
        yield SuggestionList(id="suggestions")
        yield EntityPanel(id="entities")

    def on_resize(self) -> None:
        """Panels give way on a short terminal: the disagreements keep the height, the entities go."""
        super().on_resize()
        self.query_one(EntityPanel).display = self.size.height >= MIN_HEIGHT_FOR_ENTITIES

    def start(self) -> None:
        """The screen is up at once; the review order is computed in a thread, and the worst document
        opens when it is."""
        panel = self.query_one(DisagreementPanel)
        panel.set_label_styles(self.label_styles)
        panel.show([], 0, "ordering the documents by agreement…")
        self.query_one(TitleBar).show(
            [(Text("annotator review", "bold"), 0), (Text("ordering the finished documents…"), 1)]
        )
        order_review(self.store.path, self)

    @while_shown
    def on_review_order_failed(self, message: ReviewOrderFailed) -> None:
        self.notify(literal(f"Review order failed: {message.error}"), severity="error", markup=False)

    @while_shown
    def on_review_ordered(self, message: ReviewOrdered) -> None:
        self.agreement = {doc_id: value for doc_id, _key, value, _open in message.order}
        self.doc_ids = [doc_id for doc_id, *_ in message.order]
        if not self.doc_ids:
            self.query_one(DisagreementPanel).show([], 0, "nothing to review")
            return
        self.open_document(0)
        self.start_loading_kb()  # after the order: both read every span, and the order comes first

    # --- documents -------------------------------------------------------------------------------

    @saving
    def open_document(self, index: int) -> None:
        if not self.doc_ids:
            return
        doc_id = self.doc_ids[index % len(self.doc_ids)]
        (finished,) = self.store.teams.finished_documents([doc_id])
        self.review = review_document(finished)
        agreed, user = agreed_spans(self.review), self.user

        def put(store: Store) -> int:
            before = len(store.edits.spans(doc_id, GOLD))
            store.edits.edit(doc_id, GOLD, [], agreed, kind="agreed", who=user)
            return len(store.edits.spans(doc_id, GOLD)) - before

        def shown(added: int) -> None:
            self.agreed_added = added
            if self.doc_id == doc_id:  # it landed after the document opened: show it now
                self._reload_spans()

        self.agreed_added = 0
        self.write("the agreed spans", put, shown)
        super().open_document(index)
        self.current = next((i for i, d in enumerate(self.review.disagreements) if not self._resolved(d)), 0)
        self._show_review(select=True)

    def _show_title(self) -> None:
        self._shown_status = self.store.progress.status(self.doc_id, GOLD)
        review = self.review
        left = sum(not self._resolved(d) for d in review.disagreements) if review else 0
        total = len(review.disagreements) if review else 0
        layers = ", ".join(review.layers) if review else ""
        self.query_one(TitleBar).show(
            [
                (Text("annotator review", "bold"), 6),
                (Text(f"document {self.index + 1} of {len(self.doc_ids)}"), 0),
                (Text(literal(self.doc_key), "bold"), 1),
                (Text(f"[{self._shown_status.replace('_', ' ')}]"), 3),
                (Text(f"agreement {self.agreement.get(self.doc_id, 1.0):.2f}"), 4),
                (Text(f"{left} of {total} open"), 2),
                (Text.assemble(("layers: ", "dim"), literal(layers)), 5),
                (Text.assemble("user: ", (literal(self.user), "bold")), 7),
            ]
        )

    def _apply(self, removed: list[Span], added: list[Span]) -> None:
        super()._apply(removed, added)
        self._show_review()

    def history_replayed(self) -> None:
        """After undo or redo: what is decided is read from gold again (an undone decision reopens)."""
        self.decided = {key for key in self.decided if key[0] != self.doc_id}

    def _reload_spans(self) -> None:
        super()._reload_spans()
        self._show_review()

    # --- disagreements ---------------------------------------------------------------------------

    def _gold_in(self, d: Disagreement) -> set[tuple[int, int, str, str | None]]:
        """Gold's spans in the disagreement's range (not the agreed ones), with their KB links."""
        agreed = set(self.review.agreed) if self.review else set()
        return {
            (s.start, s.end, s.label, s.kb_id)
            for s in self.article.spans_between(d.start, d.end)
            if (s.start, s.end, s.label) not in agreed
        }

    def _resolved(self, d: Disagreement) -> bool:
        """Decided here, or gold holds one layer's (non-empty) version of it, links included."""
        if (d.doc_id, d.start, d.end) in self.decided:
            return True
        gold = self._gold_in(d)
        return bool(gold) and any(
            gold == {(*span, d.link(layer, span)) for span in spans} for layer, spans in d.versions.items()
        )

    def _show_review(self, select: bool = False) -> None:
        review = self.review
        if review is None:
            return
        text = self.article.text
        items = [
            Item(
                d.kind,
                " ".join(d.text.split()),
                tuple(
                    Version(layer, tuple((span[2], _shown(text, d, layer, span)) for span in spans))
                    for layer, spans in d.versions.items()
                ),
                self._resolved(d),
            )
            for d in review.disagreements
        ]
        pairs = zip(review.disagreements, items, strict=True)
        open_ = [(d.start, d.end) for d, item in pairs if not item.resolved]
        self.article.set_flags(open_)
        agreed = f"{len(review.agreed)} agreed span{'s' * (len(review.agreed) != 1)}"
        if not review.disagreements:
            note = f"no disagreements; {agreed} in gold: d finishes"
        else:
            note = (
                f"{agreed} put in gold"
                + (f" ({self.agreed_added} just now)" if self.agreed_added else "")
                + "; 1-9 take a layer's version, 0 none, j next"
            )
        self.query_one(DisagreementPanel).show(items, self.current, note)
        self._show_title()
        if select and review.disagreements:
            d = review.disagreements[self.current]
            self.article.select_offsets(d.start, d.end)

    def action_disagreement(self, delta: int) -> None:
        review = self.review
        if review is None or not review.disagreements:
            self.notify("No disagreements in this document", timeout=2)
            return
        self.current = (self.current + delta) % len(review.disagreements)
        self._show_review(select=True)

    @saving
    def action_take(self, position: int) -> None:
        """Resolve the current disagreement with layer ``position``'s version (-1: none of them)."""
        review = self.review
        if review is None or not review.disagreements:
            return
        d = review.disagreements[self.current]
        layers = list(d.versions)
        if position >= len(layers):
            return
        layer = None if position < 0 else layers[position]
        self.sync()
        user = self.user

        def take(store: Store) -> None:
            remove, add = decision(review, d, layer, store.edits.spans(review.doc_id, GOLD))
            store.edits.edit(review.doc_id, GOLD, remove, add, kind="review", who=user)

        def shown(_: None) -> None:
            self.decided.add((d.doc_id, d.start, d.end))
            if self.doc_id == review.doc_id:
                self._decided_shown()

        self.write(f"{layer or 'none'}'s version", take, shown)

    def _decided_shown(self) -> None:
        """A decision is saved: gold shown again, and the next open disagreement selected."""
        review = self.review
        assert review is not None
        self._reload_spans()
        following = [
            i
            for i in [*range(self.current + 1, len(review.disagreements)), *range(self.current)]
            if not self._resolved(review.disagreements[i])
        ]
        if following:
            self.current = following[0]
        self._show_review(select=bool(following))
        self._show_status()

    @saving
    def action_done(self) -> None:
        """Finish the document in gold and open the next one the review has not finished."""
        review = self.review
        if review is not None:
            open_ = sum(not self._resolved(d) for d in review.disagreements)
            if open_:
                self.notify(
                    f"{counted(open_, 'disagreement')} left open: gold keeps what it has there", timeout=3
                )
        self._open_next_unfinished("Every document is reviewed")


def _shown(text: str, d: Disagreement, layer: str, span: SpanKey) -> str:
    """A version's span as the panel shows it: its text, or in a ``link`` disagreement (where every
    version has the same text, in the row above) its KB link."""
    if d.kind == "link":
        return f"→ {d.link(layer, span) or 'no link'}"
    return " ".join(text[span[0] : span[1]].split())
