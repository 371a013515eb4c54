"""`annotator review` with nothing to review, and the gold decisions the review screen makes, as store
edits."""

from __future__ import annotations

from pathlib import Path

from annotator.agreement import review_document
from annotator.model import GOLD, Span
from annotator.store import Store
from tests.functional.test_agreement import write_layers


def test_gold_decisions_are_one_undo_step_each(run, db: Path, tmp_path: Path) -> None:
    layers = {"alice": {"k1": [(0, 5, "ACTOR"), (10, 13, "ACTOR")]}, "bob": {"k1": [(0, 5, "ACTOR")]}}
    run("import", str(write_layers(tmp_path / "l.jsonl", layers)))
    with Store(db) as store:
        doc_id = store.documents.id_of("k1")
        (finished,) = store.teams.finished_documents()
        review = review_document(finished)
        assert review.agreed == [(0, 5, "ACTOR")]
        assert store.edits.edit(doc_id, GOLD, [], [Span(*s) for s in review.agreed], kind="agreed", who="rev")
        assert not store.edits.edit(doc_id, GOLD, [], [Span(0, 5, "ACTOR")], who="rev")  # already there
        assert store.edits.edit(
            doc_id,
            GOLD,
            [Span(0, 5, "ACTOR")],
            [Span(0, 9, "ACTOR"), Span(17, 22, "PLACE")],
        )
        assert [(s.start, s.end, s.label) for s in store.edits.spans(doc_id, GOLD)] == [
            (0, 9, "ACTOR"),
            (17, 22, "PLACE"),
        ]
        assert store.edits.undo(doc_id, GOLD)
        assert [(s.start, s.end, s.label) for s in store.edits.spans(doc_id, GOLD)] == [(0, 5, "ACTOR")]
        assert store.edits.undo(doc_id, GOLD)
        assert store.edits.spans(doc_id, GOLD) == []
        assert not store.edits.undo(doc_id, GOLD)
        assert store.edits.redo(doc_id, GOLD)
        assert [(s.start, s.end) for s in store.edits.spans(doc_id, GOLD)] == [(0, 5)]
        # gold never counts as an annotator
        store.progress.set_status(doc_id, GOLD, "done")
        assert [list(d.layers) for d in store.teams.finished_documents()] == [["alice", "bob"]]


def test_review_with_nothing_to_review_is_one_line(run, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Baku is a city.", encoding="utf-8")
    assert run("import", str(article)).exit_code == 0
    result = run("review")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "nothing to review: no document is finished (marked done) by two or more annotators"
    )
