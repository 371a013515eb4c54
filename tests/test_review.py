"""Review decisions into gold through the action log: take a version, take none, undo, redo."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.agreement import review_document
from annotator.model import GOLD, ImportRecord, Span
from annotator.review import accept_agreed, decide
from annotator.store import Store

TEXT = "The war in Karabakh ended when Alice met Bob in Paris on Monday ."


def gold(store: Store, doc_id: int) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in store.spans(doc_id, GOLD)]


@pytest.fixture
def store(db: Path) -> Store:
    layers = {
        "alice": [Span(0, 19, "EVENT"), Span(31, 36, "ACTOR"), Span(48, 53, "PLACE")],
        "bob": [Span(0, 19, "EVENT"), Span(31, 36, "ACTOR"), Span(48, 53, "ACTOR"), Span(41, 44, "ACTOR")],
        "carol": [Span(0, 19, "EVENT"), Span(4, 7, "EVENT"), Span(31, 36, "ACTOR"), Span(11, 19, "PLACE")],
    }
    opened = Store(db)
    opened.import_records(
        [ImportRecord(TEXT, "k1", "t", spans=spans, layer=name) for name, spans in layers.items()], "alice"
    )
    yield opened
    opened.close()


def test_agreed_spans_then_decisions_each_undoable(store: Store) -> None:
    doc_id = store.document_id("k1")
    (document,) = store.finished_documents([doc_id])
    review = review_document(document)
    assert review.agreed == [(0, 19, "EVENT"), (31, 36, "ACTOR")]
    inside, karabakh, bob, paris = review.disagreements
    assert (inside.start, inside.end, inside.kind) == (4, 7, "missing")  # nested in the agreed EVENT
    assert (paris.start, paris.end, paris.kind) == (48, 53, "missing")  # carol has no Paris
    assert paris.labels() == {"alice": "PLACE", "bob": "ACTOR", "carol": None}

    assert accept_agreed(store, review, "rev")
    assert not accept_agreed(store, review, "rev")  # already there: nothing logged
    assert gold(store, doc_id) == [(0, 19, "EVENT"), (31, 36, "ACTOR")]

    assert decide(store, review, paris, "alice", "rev")
    assert (48, 53, "PLACE") in gold(store, doc_id)
    assert decide(store, review, paris, "bob", "rev")  # changing one's mind replaces the decision
    assert (48, 53, "ACTOR") in gold(store, doc_id) and (48, 53, "PLACE") not in gold(store, doc_id)
    assert not decide(store, review, paris, "bob", "rev")
    assert decide(store, review, bob, "bob", "rev")
    assert decide(store, review, karabakh, "carol", "rev")
    assert not decide(store, review, inside, None, "rev")  # none: the agreed EVENT around it stays
    assert decide(store, review, karabakh, None, "rev")
    assert gold(store, doc_id) == [(0, 19, "EVENT"), (31, 36, "ACTOR"), (41, 44, "ACTOR"), (48, 53, "ACTOR")]

    assert store.undo(doc_id, GOLD)  # the last decision: karabakh back to carol's PLACE
    assert (11, 19, "PLACE") in gold(store, doc_id)
    for _ in range(3):
        assert store.undo(doc_id, GOLD)  # karabakh, bob, paris-as-bob
    assert gold(store, doc_id) == [(0, 19, "EVENT"), (31, 36, "ACTOR"), (48, 53, "PLACE")]
    assert store.redo(doc_id, GOLD)
    assert (48, 53, "ACTOR") in gold(store, doc_id)
    with pytest.raises(KeyError):
        decide(store, review, paris, "dave", "rev")
    store.set_status(doc_id, GOLD, "done")
    assert [list(d.layers) for d in store.finished_documents()] == [["alice", "bob", "carol"]]
