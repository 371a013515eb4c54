"""Suggestions and pre-annotation in the annotation screen, under Pilot, with the database checked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.suggestion_list import SuggestionList

DOCS = {
    "d1": "Shelling hit Gubadli on Monday.\n\nThe OSCE Minsk Group met in Geneva.",
    "d2": "Later the Minsk Group said Gubadli was quiet and Askeran too.",
}
KB = "Qubadlı,PLACE,Kubadli,geonames:147305\nAskyaran,PLACE,Askeran,geonames:1\nGeneva,PLACE,,geonames:2\n"


def setup(run, tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": key, "text": text}) + "\n" for key, text in DOCS.items()]
    docs.write_text("".join(lines), encoding="utf-8")
    (tmp_path / "kb.csv").write_text(KB, encoding="utf-8")
    assert run("import", str(docs)).exit_code == 0
    assert run("kb", "import", str(tmp_path / "kb.csv")).exit_code == 0


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for the look-up threads (real ones: the KB loads from the database)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause()
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


def spans(db: Path, key: str) -> list[tuple[str, str, str | None, str]]:
    with Store(db) as store:
        doc = store.documents.id_of(key)
        text = store.documents.get(doc).text
        return [(text[s.start : s.end], s.label, s.kb_id, s.source) for s in store.edits.spans(doc, "alice")]


async def test_the_selection_gets_suggestions_and_enter_takes_the_first(
    run, db: Path, tmp_path: Path
) -> None:
    setup(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", "d1")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await until(pilot, lambda: screen.kb is not None)
        suggestions = screen.query_one(SuggestionList)
        await pilot.press("slash", *"gubadli", "enter")
        await until(pilot, lambda: [s.name for s in suggestions.items] == ["Qubadlı"])
        assert suggestions.note.startswith("for “Gubadli”")
        await pilot.press("enter")
        assert spans(db, "d1") == [("Gubadli", "PLACE", "geonames:147305", "suggestion")]
        # another selection: pick from the list with the keyboard (tab, arrows, a digit)
        await pilot.press("slash", *"geneva", "enter")
        await until(pilot, lambda: [s.name for s in suggestions.items] == ["Geneva"])
        await pilot.press("tab")
        assert suggestions.has_focus
        await pilot.press("1")
        assert ("Geneva", "PLACE", "geonames:2", "suggestion") in spans(db, "d1")
        assert screen.query_one(ArticleView).has_focus
    store.close()


async def test_proposals_take_reject_all_undo_and_rejections_stay_rejected(
    run, db: Path, tmp_path: Path
) -> None:
    setup(run, tmp_path)
    with Store(db) as store:  # an earlier annotation in gold: it is proposed too
        from annotator.model import Span

        d1 = store.documents.id_of("d1")
        start = DOCS["d1"].index("OSCE Minsk Group")
        store.edits.edit(d1, "gold", add=[Span(start + 5, start + 16, "ACTOR", "osce-mg")], who="lead")
    store = Store(db)
    app = make_app(store, "alice", "d2", use_model=False)  # the KB's and learned text's proposals
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: len(view.proposals) == 3)
        text = DOCS["d2"]
        assert [text[p.start : p.end] for p in view.proposals] == ["Minsk Group", "Gubadli", "Askeran"]
        await pilot.press("y")  # not on a proposal: goes to the first one
        assert view.selection == (text.index("Minsk"), text.index("Minsk") + len("Minsk Group"))
        assert spans(db, "d2") == []
        await pilot.press("y")  # takes it, and goes to the next
        assert spans(db, "d2") == [("Minsk Group", "ACTOR", "osce-mg", "suggestion")]
        assert view.selection == (text.index("Gubadli"), text.index("Gubadli") + 7)
        await pilot.press("X")  # rejects Gubadli
        assert [text[p.start : p.end] for p in view.proposals] == ["Askeran"]
        await pilot.press("right_square_bracket", "g", *"d2", "enter")  # away and back
        await until(pilot, lambda: len(view.proposals) == 1)
        assert [text[p.start : p.end] for p in view.proposals] == ["Askeran"]  # Gubadli stays rejected
        await pilot.press("Y")
        assert [s[0] for s in spans(db, "d2")] == ["Minsk Group", "Askeran"]
        assert view.proposals == []
        await pilot.press("u")  # undo takes back the whole accept-all, and the proposal returns
        assert [s[0] for s in spans(db, "d2")] == ["Minsk Group"]
        assert [text[p.start : p.end] for p in view.proposals] == ["Askeran"]
    with Store(db) as fresh:
        assert fresh.kb.rejected_suggestions(fresh.documents.id_of("d2"), "alice") == {
            (text.index("Gubadli"), text.index("Gubadli") + 7, "PLACE")
        }
        assert fresh.kb.rejected_suggestions(fresh.documents.id_of("d2"), "bob") == set()
    store.close()


async def test_a_tag_proposes_the_same_text_elsewhere_in_the_document(run, db: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    text = "Talks in Shusha went on. Later Shusha was shelled, and shusha residents fled."
    docs.write_text(json.dumps({"id": "d", "text": text}) + "\n", encoding="utf-8")
    assert run("import", str(docs)).exit_code == 0
    store = Store(db)
    app = make_app(store, "alice", use_model=False)  # the KB's and learned text's proposals
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: screen.kb is not None)
        assert view.proposals == []
        await pilot.press("slash", *"shusha", "enter", "p")
        await until(pilot, lambda: len(view.proposals) >= 1)
        second = text.index("Shusha", text.index("Shusha") + 1)
        assert (view.proposals[0].start, view.proposals[0].label) == (second, "PLACE")
    store.close()
