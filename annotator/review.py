"""Review decisions into the gold layer, for the review screen (and anything else that adjudicates).

Each decision is one ``store.edits.edit`` call: in the database at once, one entry in the action log,
so ``store.edits.undo(doc_id, GOLD)`` takes it back and ``store.edits.redo`` brings it again.

Typical use::

    for doc_id, key, agreement, has_disagreements in store.teams.review_order():   # worst first
        (document,) = store.teams.finished_documents([doc_id])
        review = review_document(document)         # agreed spans, disagreements with every version
        accept_agreed(store, review, who)          # no keystroke: what all finished layers agree on
        decide(store, review, review.disagreements[0], "alice", who)  # take alice's version
        decide(store, review, review.disagreements[1], None, who)     # take none
        store.progress.set_status(doc_id, GOLD, "done")
"""

from __future__ import annotations

from annotator.agreement import Disagreement, DocumentReview
from annotator.model import GOLD, Span
from annotator.store import Store


def accept_agreed(store: Store, review: DocumentReview, who: str | None = None) -> bool:
    """Put the spans every finished layer agrees on into gold (those not there yet); False when there was
    nothing to add."""
    agreed = [Span(start, end, label) for start, end, label in review.agreed]
    return store.edits.edit(review.doc_id, GOLD, [], agreed, kind="agreed", who=who)


def decide(
    store: Store,
    review: DocumentReview,
    disagreement: Disagreement,
    layer: str | None,
    who: str | None = None,
) -> bool:
    """Resolve ``disagreement`` in gold with ``layer``'s version, or with no span when ``layer`` is None.

    Gold spans in the disagreement's range are replaced, except the agreed ones (a disagreement can sit
    inside an agreed span). False when gold already held exactly that.
    """
    if layer is not None and layer not in disagreement.versions:
        raise KeyError(f"layer {layer!r} has no version here (layers: {', '.join(disagreement.versions)})")
    agreed = set(review.agreed)
    current = [
        span
        for span in store.edits.spans(review.doc_id, GOLD)
        if span.start < disagreement.end
        and span.end > disagreement.start
        and (span.start, span.end, span.label) not in agreed
    ]
    chosen = {(s, e, label) for s, e, label in disagreement.versions[layer]} if layer is not None else set()
    keep = {(s.start, s.end, s.label) for s in current} & chosen
    remove = [s for s in current if (s.start, s.end, s.label) not in keep]
    add = [Span(s, e, label) for s, e, label in sorted(chosen - keep)]
    return store.edits.edit(review.doc_id, GOLD, remove, add, kind="review", who=who)
