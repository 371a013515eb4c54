"""What an annotator decides on the annotation screen is exactly what the database holds, under Pilot:
relabelling a proposal replaces it, a rejection is undone and redone like any edit, learned suggestions
come from the spans that exist now, and the proposals on screen are what `annotator suggest` lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from annotator.store import Store
from annotator.text import sentences, tokenize
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.status_line import StatusLine
from annotator.tui.widgets.suggestion_list import SuggestionList
from tests.conftest import SEED
from tests.tui.test_suggestions import until

TEXT = SEED.read_text(encoding="utf-8")
KEY = SEED.stem
KB = "Azerbaijan,PLACE,,geonames:587116\nTurkey,PLACE,,geonames:298795\nArmenia,PLACE,,geonames:174982\n"


def seeded(run, tmp_path: Path) -> None:
    assert run("import", str(SEED)).exit_code == 0
    (tmp_path / "kb.csv").write_text(KB, encoding="utf-8")
    assert run("kb", "import", str(tmp_path / "kb.csv")).exit_code == 0


def stored(db: Path, layer: str = "alice") -> list[tuple[int, int, str, str | None, str]]:
    with Store(db) as store:  # a connection of its own: what is on disk
        doc = store.documents.id_of(KEY)
        return [(s.start, s.end, s.label, s.kb_id, s.source) for s in store.edits.spans(doc, layer)]


def suggested(run, user: str = "alice", *options: str) -> set[tuple[int, int, str]]:
    """What `annotator suggest` lists for the seed article, as (start, end, label): the KB's and learned
    text's proposals (``--no-model``, as the screens here: make_app(use_model=False)) unless ``options``
    say otherwise (tests/tui/test_model.py has the model's)."""
    result = run("suggest", "--doc", KEY, "--json", *(options or ("--no-model",)), user=user)
    assert result.exit_code == 0, result.stderr
    return {(c["start"], c["end"], c["label"]) for c in map(json.loads, result.stdout.splitlines())}


def on_screen(view: ArticleView) -> set[tuple[int, int, str]]:
    return {(p.start, p.end, p.label) for p in view.proposals}


def nth(word: str, n: int) -> int:
    at = -1
    for _ in range(n):
        at = TEXT.index(word, at + 1)
    return at


async def test_the_panel_says_why_for_the_proposal_y_takes_not_only_the_exact_one(
    run, db: Path, tmp_path: Path
) -> None:
    seeded(run, tmp_path)
    (tmp_path / "more.csv").write_text("OSCE Minsk Group,ACTOR,,wikidata:Q1\n", encoding="utf-8")
    assert run("kb", "import", str(tmp_path / "more.csv")).exit_code == 0
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    at = TEXT.index("OSCE Minsk Group")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: (at, at + 16, "ACTOR") in on_screen(view))
        view.select_offsets(at + 5, at + 10)  # Minsk: the cursor inside the proposal
        assert view.selection == (at + 5, at + 10)
        assert "proposed  ACTOR" in screen.query_one(StatusLine).text.plain
        assert screen.query_one(SuggestionList).why == "why: kb 1.00 → OSCE Minsk Group"
        view.select_offsets(at, at + 16)  # the whole of it, as before
        assert screen.query_one(SuggestionList).why == "why: kb 1.00 → OSCE Minsk Group"
    store.close()


async def test_relabelling_a_proposal_replaces_it_one_span_per_place(run, db: Path, tmp_path: Path) -> None:
    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    second = nth("Azerbaijan", 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: (second, second + 10, "PLACE") in on_screen(view))
        view.select_offsets(second, second + 10)
        assert "proposed  PLACE" in screen.query_one(StatusLine).text.plain
        assert "why: kb" in screen.query_one(SuggestionList).why
        await pilot.press("a")  # on the PLACE proposal: it is an ACTOR
        assert stored(db) == [(second, second + 10, "ACTOR", None, "manual")]
        assert view.proposal_at(second, second + 10) is None  # the proposal went with it
        assert "proposed" not in screen.query_one(StatusLine).text.plain  # and the status line says so
        await pilot.press("y")  # nothing there to take any more: goes to the next proposal
        assert stored(db) == [(second, second + 10, "ACTOR", None, "manual")]
        view.select_offsets(second, second + 10)
        await pilot.press("p")  # and back: still one span there
        assert stored(db) == [(second, second + 10, "PLACE", None, "manual")]
        await pilot.press("u")
        assert stored(db) == [(second, second + 10, "ACTOR", None, "manual")]
        await pilot.press("u")  # nothing left: the proposal is back, once
        assert stored(db) == []
        await until(pilot, lambda: (second, second + 10, "PLACE") in on_screen(view))
        view.select_offsets(second, second + 10)
        await pilot.press("y", "u")
        await pilot.press("ctrl+r")
        assert stored(db) == [(second, second + 10, "PLACE", "geonames:587116", "suggestion")]
        view.select_offsets(second, second + 10)
        await pilot.press("e")  # relabelling a taken proposal replaces it too
        assert stored(db) == [(second, second + 10, "EVENT", None, "manual")]
    store.close()


async def test_a_rejection_is_undone_and_redone_like_any_edit(run, db: Path, tmp_path: Path) -> None:
    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    first = nth("Azerbaijan", 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: (first, first + 10, "PLACE") in on_screen(view))
        view.select_offsets(first, first + 10)
        await pilot.press("y")  # an accept first, so that undo has something else it could take back
        turkey = nth("Turkey", 1)
        view.select_offsets(turkey, turkey + 6)
        await pilot.press("X")  # reject (n is the search's next match)
        assert (turkey, turkey + 6, "PLACE") not in on_screen(view)
        assert (turkey, turkey + 6, "PLACE") not in suggested(run)
        view.select_offsets(first, first + 10)  # elsewhere: undo goes back to the proposal it brings back
        await pilot.press("u")  # takes back the rejection, not the accept before it
        assert (turkey, turkey + 6, "PLACE") in on_screen(view)
        assert "Undid: rejection of PLACE Turkey" in screen.query_one(StatusLine).text.plain
        assert view.selection == (turkey, turkey + 6)
        assert (turkey, turkey + 6, "PLACE") in suggested(run)
        assert stored(db) == [(first, first + 10, "PLACE", "geonames:587116", "suggestion")]
        await pilot.press("ctrl+r")  # redo rejects it again
        assert (turkey, turkey + 6, "PLACE") not in on_screen(view)
        assert "Redid: PLACE Turkey rejected" in screen.query_one(StatusLine).text.plain
        assert (turkey, turkey + 6, "PLACE") not in suggested(run)
        await pilot.press("u", "u")  # the rejection, then the accept
        assert stored(db) == []
        assert {(first, first + 10, "PLACE"), (turkey, turkey + 6, "PLACE")} <= on_screen(view)
    with Store(db) as fresh:
        rows = fresh.conn.execute("SELECT kind FROM actions WHERE layer = 'alice' ORDER BY id")
        kinds = [r[0] for r in rows]
        assert kinds == ["edit", "reject"]
    store.close()


async def test_undone_spans_teach_nothing(run, db: Path, tmp_path: Path) -> None:
    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        suggestions = screen.query_one(SuggestionList)
        await until(pilot, lambda: len(view.proposals) > 5)
        await until(pilot, lambda: on_screen(view) == suggested(run))
        await pilot.press("Y")  # accept all: every Azerbaijan, Turkey, Armenia is tagged and teaches
        assert len(stored(db)) > 5
        await pilot.press("u")  # undo the accept-all: they teach nothing any more
        assert stored(db) == []
        first = nth("Turkey", 1)
        view.select_offsets(first, first + 6)
        await until(pilot, lambda: [s.name for s in suggestions.items][:1] == ["Turkey"])
        assert [s.learned for s in suggestions.items if s.name == "Turkey"] == [0]
        await until(pilot, lambda: on_screen(view) == suggested(run))
    store.close()


async def test_after_a_tag_the_screen_proposes_what_suggest_lists(run, db: Path, tmp_path: Path) -> None:
    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: len(view.proposals) > 5)
        # tagging a word (a lower-case one: no KB entry) proposes its other mentions at once, as suggest
        ceasefire = TEXT.index("ceasefire")
        view.select_offsets(ceasefire, ceasefire + len("ceasefire"))
        await pilot.press("e")
        others = {(m.start(), m.end(), "EVENT") for m in re.finditer(r"\bceasefire\b", TEXT)}
        others -= {(ceasefire, ceasefire + 9, "EVENT")}
        assert others <= suggested(run)
        await until(pilot, lambda: on_screen(view) == suggested(run))
        assert others <= on_screen(view)
        await pilot.press("u")  # undone: no more ceasefire proposals, here or in suggest
        await until(pilot, lambda: on_screen(view) == suggested(run))
        assert not others & on_screen(view)
    store.close()


async def test_another_annotators_spans_are_not_proposed_by_default(run, db: Path, tmp_path: Path) -> None:
    seeded(run, tmp_path)
    ceasefire = TEXT.index("ceasefire")
    with Store(db) as store:
        from annotator.model import Span

        doc = store.documents.id_of(KEY)
        store.edits.edit(doc, "alice", add=[Span(ceasefire, ceasefire + 9, "EVENT")], who="alice")
    second = (nth("ceasefire", 3), nth("ceasefire", 3) + 9, "EVENT")
    assert second in suggested(run, "alice") and second not in suggested(run, "bob")
    for user, learns, from_others in (("bob", False, False), ("alice", True, False), ("bob", True, True)):
        store = Store(db)
        app = make_app(store, user, learn_from_others=from_others, use_model=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, AnnotateScreen)
            view = screen.query_one(ArticleView)
            await until(pilot, lambda s=screen, v=view: s.kb is not None and len(v.proposals) > 5)
            assert (second in on_screen(view)) == learns, user
        store.close()


async def test_an_edit_of_a_state_that_is_gone_is_said_in_the_status_line(
    run, db: Path, tmp_path: Path
) -> None:
    """Another program deletes alice's span behind the log's back; her undo of it cannot be replayed:
    the screen says so, shows the layer as it is, and goes on."""
    from annotator.tui.widgets.status_line import StatusLine

    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.press("p")  # Armenia, the first word
        assert stored(db) == [(0, 7, "PLACE", None, "manual")]
        with Store(db) as other:
            other.conn.execute("DELETE FROM spans")
            other.conn.commit()
        await pilot.press("u")
        status = screen.query_one(StatusLine).text.plain
        assert status.startswith("Not saved: no span 0-7 PLACE in layer 'alice'"), status
        assert screen.spans == [] and stored(db) == []
        await pilot.press("a")  # the app goes on
        assert stored(db) == [(0, 7, "ACTOR", None, "manual")]
        assert not screen.query_one(StatusLine).text.plain.startswith("Not saved")
    assert app.return_code in (None, 0)
    store.close()


async def test_the_sentences_proposals_are_taken_with_one_key_and_undone_together(
    run, db: Path, tmp_path: Path
) -> None:
    seeded(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", use_model=False)
    tokens = tokenize(TEXT)
    ranges = [(tokens[a][0], tokens[b - 1][1]) for a, b in sentences(TEXT, tokens)]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: bool(view.proposals))  # one answer: all of them
        shown = sorted(on_screen(view))

        def proposed(start: int, end: int) -> set[tuple[int, int, str]]:
            return {p for p in shown if start <= p[0] and p[1] <= end}

        # the first sentence with two proposals or more, and the first proposal after it
        start, end = next(r for r in ranges if len(proposed(*r)) >= 2)
        following = next(p for p in shown if p[0] >= end)
        inside = proposed(start, end)
        word = next(t for t in tokens if start <= t[0] and t[1] <= end and view.proposal_at(*t) is None)
        view.select_offsets(*word)  # anywhere in the sentence, not on a proposal
        await pilot.press("A")
        taken = {(s, e, label) for s, e, label, _, source in stored(db) if source == "suggestion"}
        assert taken == inside and len(stored(db)) == len(inside)
        assert not inside & on_screen(view)
        assert following in on_screen(view)  # the later ones stay open
        assert view.selection == following[:2]  # and the first of them is selected
        await pilot.press("u")  # one edit: they go back together
        assert stored(db) == []
        assert inside <= on_screen(view)
        failed = TEXT.index("I failed.")
        view.select_offsets(failed, failed + 1)
        await pilot.press("A")  # a sentence without proposals: said, nothing taken
        assert "No proposals in this sentence" in screen.query_one(StatusLine).text.plain
        assert stored(db) == []
    store.close()
