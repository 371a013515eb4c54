"""Review decisions into the gold layer, for the review screen (and anything else that adjudicates).

Each function says which gold spans to remove and which to add; the caller saves them as one
``store.edits.edit`` call: in the database at once, one entry in the action log, so
``store.edits.undo(doc_id, GOLD)`` takes it back and ``store.edits.redo`` brings it again.

Typical use::

    for doc_id, key, agreement, has_disagreements in review_order(store.teams.review_counts()):  # worst first
        (document,) = store.teams.finished_documents([doc_id])
        review = review_document(document)         # agreed spans, disagreements with every version
        # no keystroke: what all finished layers agree on
        store.edits.edit(doc_id, GOLD, [], agreed_spans(review), kind="agreed", who=who)
        gold = store.edits.spans(doc_id, GOLD)
        remove, add = decision(review, review.disagreements[0], "alice", gold)  # take alice's version
        store.edits.edit(doc_id, GOLD, remove, add, kind="review", who=who)
        remove, add = decision(review, review.disagreements[1], None, gold)     # take none
        ...
        store.progress.set_status(doc_id, GOLD, "done")
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.agreement import Disagreement, DocumentReview
from annotator.model import Span
from annotator.spans import overlaps


def agreed_spans(review: DocumentReview) -> list[Span]:
    """The spans every finished layer agrees on (extent, label and KB link), to add to gold with their
    link (those already there are not added again)."""
    return [
        Span(start, end, label, review.links.get((start, end, label))) for start, end, label in review.agreed
    ]


def decision(
    review: DocumentReview, disagreement: Disagreement, layer: str | None, gold: Iterable[Span]
) -> tuple[list[Span], list[Span]]:
    """The gold spans to remove and to add to resolve ``disagreement`` with ``layer``'s version, or with
    no span when ``layer`` is None; ``gold`` is what the gold layer holds now.

    Gold spans in the disagreement's range are replaced, except the agreed ones (a disagreement can sit
    inside an agreed span); the spans taken keep that layer's KB links. Saving them changes nothing when
    gold already holds exactly that.
    """
    if layer is not None and layer not in disagreement.versions:
        raise KeyError(f"layer {layer!r} has no version here (layers: {', '.join(disagreement.versions)})")
    agreed = set(review.agreed)
    current = [
        span
        for span in gold
        if overlaps(span.start, span.end, disagreement.start, disagreement.end)
        and (span.start, span.end, span.label) not in agreed
    ]
    chosen = (
        {
            (s, e, label, disagreement.link(layer, (s, e, label)))
            for s, e, label in disagreement.versions[layer]
        }
        if layer is not None
        else set()
    )
    keep = {(s.start, s.end, s.label, s.kb_id) for s in current} & chosen
    remove = [s for s in current if (s.start, s.end, s.label, s.kb_id) not in keep]
    add = [Span(s, e, label, kb_id) for s, e, label, kb_id in sorted(chosen - keep, key=_by_place)]
    return remove, add


def _by_place(span: tuple[int, int, str, str | None]) -> tuple[int, int, str, str]:
    return (span[0], span[1], span[2], span[3] or "")
