"""The model in the annotation screen: proposals with their source and confidence, and a retrain in the
background after a document is marked done that never delays a key nor hides the proposals."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.store import Store
from annotator.tagger.starter import starter_bytes
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.suggestion_list import SuggestionList
from tests.functional.test_train import document
from tests.tui.test_suggestions import until

NEW = "Iran says Turkey shelled Lachin during the siege. Officials in Baku saw the attack."


def project(run, tmp_path: Path, finished: int) -> None:
    """``finished`` documents alice has done, then one she has not."""
    if finished:
        done = tmp_path / "done.jsonl"
        done.write_text("".join(json.dumps(document(n)) + "\n" for n in range(finished)), encoding="utf-8")
        assert run("import", str(done), "--as", "alice").exit_code == 0
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "new", "text": NEW}) + "\n", encoding="utf-8")
    assert run("import", str(new)).exit_code == 0


async def test_proposals_say_their_source_and_confidence(run, db: Path, tmp_path: Path) -> None:
    project(run, tmp_path, 0)
    store = Store(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: bool(view.proposals))
        assert screen.model_data == starter_bytes(with_kb=False)  # no KB: the starter without hints
        assert "starter model" in screen.model_described
        first = view.proposals[0]
        view.select_offsets(first.start, first.end)
        await pilot.pause()
        why = screen.query_one(SuggestionList).why
        assert why.startswith("why: model 0.") or why == "why: model 1.00", why
        says = NEW.index("says")
        assert view.proposal_at(says, says + 4) is None
        view.select_offsets(says, says + 4)
        await pilot.pause()
        assert screen.query_one(SuggestionList).why == ""
    store.close()


async def test_a_threshold_of_one_hides_the_models_proposals(run, db: Path, tmp_path: Path) -> None:
    project(run, tmp_path, 0)
    store = Store(db)
    app = make_app(store, "alice", threshold=1.0)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await until(pilot, lambda: screen.kb is not None and screen.model_data is not None)
        await pilot.pause(0.5)
        found = screen._proposed
        assert all(c.confidence >= 1.0 for c in found if c.source == "model")
    store.close()


async def test_marking_done_retrains_in_the_background_without_delaying_keys(
    run, db: Path, tmp_path: Path
) -> None:
    project(run, tmp_path, 10)
    store = Store(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        # The first document is one alice finished: every proposal there overlaps one of her spans.
        await until(pilot, lambda: screen.model_data is not None and screen._propose_seconds > 0)
        starter = screen.model_data
        await pilot.press("d")  # done: the next unfinished document opens, a retrain starts
        assert screen.retrainer.running
        assert screen.doc_key == "new"
        await until(pilot, lambda: bool(view.proposals))  # the starter's, while the model trains
        cursor = view.cursor
        await pilot.press("right")  # a key while the model trains: handled at once
        assert view.cursor == cursor + 1
        assert screen.retrainer.running, "the key waited for the training to end"
        assert view.proposals, "proposals hidden while the model trains"
        await until(pilot, lambda: screen.retrainer.runs == 1, seconds=60)
        await until(pilot, lambda: screen.model_data != starter)
        assert screen.model_described == "model of alice, 10 documents"
        await until(pilot, lambda: bool(view.proposals))
        assert view.proposals
    with Store(db) as other:
        model = other.models.current("alice")
    assert model is not None and model.data == screen.model_data
    store.close()


async def test_a_retrain_that_keeps_the_current_model_says_so(run, db: Path, tmp_path: Path) -> None:
    """One finished document: nothing to measure a new model on, so the starter stays, and the screen
    says why (it used to say nothing unless a new model came)."""
    project(run, tmp_path, 1)
    store = Store(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await until(pilot, lambda: screen.model_data is not None)
        starter = screen.model_data
        await pilot.press("d")
        await until(pilot, lambda: screen.retrainer.runs == 1, seconds=60)
        await until(
            pilot, lambda: any("Kept the current starter model" in str(n.message) for n in app._notifications)
        )
        assert screen.model_data == starter
    store.close()


async def test_keys_time_and_accepted_spans_are_recorded_per_annotator_and_document(
    run, db: Path, tmp_path: Path
) -> None:
    project(run, tmp_path, 0)
    store = Store(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: bool(view.proposals))
        says = NEW.index("says")
        view.select_offsets(says, says + 4)
        await pilot.press("y", "y")  # to the next proposal, and take it
        assert len(store.edits.spans(screen.doc_id, "alice")) == 1
        view.select_offsets(says, says + 4)
        await pilot.press("e")  # by hand
        doc_id = screen.doc_id
    effort = store.progress.effort()["alice"]
    assert store.progress.keys(doc_id, "alice") == 3
    assert (effort["documents"], effort["keys"], effort["spans_by_hand"], effort["spans_accepted"]) == (
        1,
        3,
        1,
        1,
    )
    assert effort["keys_per_span"] == 1.5 and effort["accepted_share"] == 0.5
    store.close()


async def test_the_screen_proposes_what_suggest_lists_with_the_model(run, db: Path, tmp_path: Path) -> None:
    from tests.tui.test_decisions import KEY, on_screen, seeded, suggested

    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        listed = suggested(run, "alice", "--json")  # with the model (the starter: alice has none)
        assert listed and screen.doc_key == KEY
        await until(pilot, lambda: on_screen(view) == listed)
        assert any(c.source == "model" for c in screen._proposed)
    store.close()


async def test_the_retrain_starts_once_done_is_saved_not_while_it_waits_for_the_lock(
    run, db: Path, tmp_path: Path
) -> None:
    from tests.tui.test_writer import Holder

    project(run, tmp_path, 10)
    store = Store(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await until(pilot, lambda: screen.model_data is not None)
        holder = Holder(db)
        try:
            await pilot.press("d")
            await pilot.pause(0.3)
            assert not screen.retrainer.running, "a retrain before the document it is for is done"
            holder.release()
            await until(pilot, lambda: screen.retrainer.running or screen.retrainer.runs > 0)
            assert screen.doc_key == "new"
        finally:
            holder.process.kill()
            holder.process.wait()
        await until(pilot, lambda: screen.retrainer.runs == 1, seconds=60)
    store.close()


async def test_what_the_annotator_tagged_is_proposed_again_with_their_label_once_proposals_are_redone(
    db: Path,
) -> None:
    """The in-document memory reaches the screen: after the first Armenia is tagged ACTOR, the
    proposals computed again (the model's said PLACE there) propose its other places as ACTOR."""
    from annotator.importing import find_files, read_files
    from tests.conftest import SEED

    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: screen.model_data is not None and bool(view.proposals))
        text = view.text
        others = [i for i in range(1, len(text)) if text.startswith("Armenia ", i)]
        assert others and text.startswith("Armenia ")
        before = {c.start: c.label for c in screen._proposed}
        assert any(before.get(i) == "PLACE" for i in others)  # the model's own guess, before the tag
        view.select_offsets(0, len("Armenia"))
        await pilot.press("a")
        shown = screen._proposed
        await until(pilot, lambda: screen._proposed is not shown, seconds=30)  # proposed again
        after = {c.start: c.label for c in screen._proposed}
        assert all(after.get(i) == "ACTOR" for i in others), [after.get(i) for i in others]
    store.close()
