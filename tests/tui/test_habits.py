"""Keys as people who live in less and vim expect them: search ends on its match, n/N walk the matches,
no key that discards work where a habit puts a harmless one; the status line says what a key did."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.importing import find_files, read_files
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.article_screen import find_match
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.prompt import Prompt
from annotator.tui.widgets.status_line import StatusLine
from annotator.tui.widgets.suggestion_list import SuggestionList
from tests.conftest import SEED
from tests.tui.test_annotate import _spans
from tests.tui.test_suggestions import DOCS, setup, spans, until


@pytest.fixture
def seeded(db: Path) -> Store:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    yield store
    store.close()


def status(app) -> str:
    return app.screen.query_one(StatusLine).text.plain


def test_find_match_keeps_the_texts_offsets_where_folding_changes_lengths() -> None:
    text = "Straße und STRASSE und straße"
    assert find_match(text, "STRASSE", 0) == (11, 18, False)  # not the folded ß, and offsets of the text
    assert find_match(text, "straße", 1) == (23, 29, False)
    assert find_match(text, "straße", 24) == (0, 6, True)  # from the top again
    assert find_match(text, "straße", 23, backwards=True) == (0, 6, False)
    assert find_match(text, "straße", 0, backwards=True) == (23, 29, True)
    assert find_match(text, "nowhere", 0) is None


async def test_enter_ends_the_search_on_its_match_and_a_tag_key_tags_it(seeded: Store, db: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    gubadli = text.index("Gubadli")
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"gubadli", "enter")
        assert not app.screen.query_one(Prompt).display
        assert app.screen.query_one(ArticleView).has_focus
        await pilot.press("a")  # no Esc first: the tag key is the article's, not the prompt's
        assert _spans(db) == [(gubadli, gubadli + 7, "ACTOR")]


async def test_n_walks_on_from_a_match_inside_a_word(seeded: Store) -> None:
    """A match inside a word selects the whole word; n goes on to the next match, not to the same one
    again (from the word's start it found it again: n stayed on the first match for ever)."""
    text = SEED.read_text(encoding="utf-8")
    places = [m.start() for m in re.finditer("inistr", text, re.IGNORECASE)]  # each inside "ministry"
    assert len(places) >= 3
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"inistr", "enter")
        words = [(place - 1, place + 7) for place in places]  # the words: "ministry"
        assert view.selection == words[0]
        await pilot.press("n")
        assert view.selection == words[1]
        await pilot.press("n")
        assert view.selection == words[2]
        await pilot.press("N", "N")
        assert view.selection == words[0]


async def test_n_and_shift_n_walk_the_matches_and_say_when_they_wrap(seeded: Store) -> None:
    text = SEED.read_text(encoding="utf-8")
    places = [m.start() for m in re.finditer("ministry", text, re.IGNORECASE)]
    assert len(places) >= 3
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("n")
        assert "No search yet" in status(app)
        await pilot.press("slash", *"ministry", "enter")
        assert view.selection == (places[0], places[0] + 8)
        await pilot.press("n")
        assert view.selection == (places[1], places[1] + 8)
        await pilot.press("N")
        assert view.selection == (places[0], places[0] + 8)
        await pilot.press("N")  # before the first: the last, and the status line says so
        assert view.selection == (places[-1], places[-1] + 8)
        assert "wrapped to the bottom" in status(app)
        await pilot.press("n")
        assert view.selection == (places[0], places[0] + 8)
        assert "wrapped to the top" in status(app)
        await pilot.press("right")  # the note lasts until the next key
        assert "wrapped" not in status(app)
        await pilot.press("slash", *"no such words", "enter")
        assert "No match for “no such words”" in status(app)


async def test_n_on_a_proposal_goes_to_the_next_match_and_rejects_nothing(
    run, db: Path, tmp_path: Path
) -> None:
    setup(run, tmp_path)
    store = Store(db)
    # Below the default threshold: the starter model proposes Gubadli as a place at 0.44 there.
    app = make_app(store, "alice", "d2", threshold=0.3)
    text = DOCS["d2"]
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: {"Gubadli", "Askeran"} <= {text[p.start : p.end] for p in view.proposals})
        await pilot.press("slash", *"gubadli", "enter")  # Gubadli is a proposal
        assert view.proposal_at(*view.selection) is not None
        before = len(view.proposals)
        await pilot.press("n")  # the only match: it stays there
        assert store.kb.rejected_suggestions(screen.doc_id, "alice") == set()
        assert len(view.proposals) == before
        await pilot.press("X")  # the rejection has its own key
        assert "Gubadli" not in {text[p.start : p.end] for p in view.proposals}
        assert len(view.proposals) == before - 1
        assert spans(db, "d2") == []
    store.close()


async def test_enter_takes_only_a_close_suggestion_and_digits_mean_one_thing_where_they_work(
    seeded: Store, db: Path
) -> None:
    from annotator.model import KbEntry
    from annotator.tui.widgets.suggestion_list import SuggestionList

    seeded.kb.add(
        [
            KbEntry("Gubadlinsk", "PLACE", (), "g:3", "a near miss"),  # scores 82 for "Gubadli"
            KbEntry("Arthur Hanson", "ACTOR", (), "w:1", "close"),  # 92 for "Arthur Hansen"
            KbEntry("Arthur Hansen Jr", "EVENT", (), "w:2", "second"),
        ]
    )
    text = SEED.read_text(encoding="utf-8")
    gubadli, arthur = text.index("Gubadli"), text.index("Arthur Hansen")
    app = make_app(seeded, "alice")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        suggestions = screen.query_one(SuggestionList)
        await until(pilot, lambda: screen.kb is not None)
        await pilot.press("slash", *"gubadli", "enter")
        await until(pilot, lambda: [s.name for s in suggestions.items] == ["Gubadlinsk"])
        await pilot.press("enter")  # 82: not sure enough for the key that takes without looking
        assert _spans(db) == []
        assert "No suggestion scores 85" in status(app)
        await pilot.press("2")  # in the article a digit is a label's (PLACE), never a suggestion
        assert [(s.start, s.end, s.label, s.kb_id) for s in seeded.edits.spans(screen.doc_id, "alice")] == [
            (gubadli, gubadli + 7, "PLACE", None)
        ]
        await pilot.press("slash", *"arthur hansen", "enter")
        await until(pilot, lambda: len(suggestions.items) == 2)
        assert "▸" in suggestions.note  # Enter would take the first (both score 92)
        second = suggestions.items[1]
        await pilot.press("tab")  # in the list, the digits take a suggestion
        assert suggestions.has_focus
        await pilot.press("2")
        spans = {(s.start, s.label, s.kb_id) for s in seeded.edits.spans(screen.doc_id, "alice")}
        assert (arthur, second.label, second.kb_id) in spans
        assert f"{second.label} linked to {second.name} ({second.kb_id})" in status(app)
        assert f"→ {second.kb_id}" in status(app)  # after the key's note: the span's link


async def test_a_proposal_under_the_selection_says_its_label_by_name(run, db: Path, tmp_path: Path) -> None:
    setup(run, tmp_path)
    store = Store(db)
    app = make_app(store, "alice", "d2")
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.screen.query_one(ArticleView)
        text = DOCS["d2"]
        await until(pilot, lambda: "Askeran" in {text[p.start : p.end] for p in view.proposals})
        await pilot.press("slash", *"askeran", "enter")
        assert "proposed  PLACE" in status(app)
        await pilot.press("slash", *"quiet", "enter")
        assert "proposed" not in status(app)
    store.close()


async def test_a_selection_too_long_for_the_status_line_is_cut_after_a_whole_word(seeded: Store) -> None:
    """At 80×24 the status line under the article has about 50 cells: a long selection is shown up to
    its last word that fits, then ``…`` (it was cut mid-word: ``...American Revolution Con``)."""
    phrase = "Arthur Hansen, an Armenian Defense Ministry official, told a news conference"
    selected = phrase.split(" ")
    tokens = len(selected) + 2  # the two commas are tokens
    app = make_app(seeded, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"arthur", "enter", *["shift+right"] * (tokens - 1))
        line = app.screen.query_one(StatusLine)
        assert status(app).startswith("selection Arthur Hansen, an Armenian")
        shown = line.render_line(0).text.rstrip()
        assert shown.endswith("…") and len(shown) < line.content_region.width
        said = shown[len("selection ") : -1].split()
        assert len(said) >= 3 and said == selected[: len(said)]  # whole words, none cut
        await pilot.press("escape", "slash", *"news", "enter", "V")  # a short selection: whole
        assert line.render_line(0).text.startswith("selection news conference ")


async def test_a_selection_grown_past_a_name_does_not_draw_the_suggestions_again_each_key(
    seeded: Store,
) -> None:
    """Past a name's length the panel says "select a name to see suggestions" and has nothing more to
    say: each shift+right drew all its rows and its border again (1.5 KB and about a millisecond a key
    in tmux), now nothing."""
    app = make_app(seeded, "alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await until(pilot, lambda: screen.kb is not None)
        panel = screen.query_one(SuggestionList)
        await pilot.press("slash", *"arthur", "enter", *["shift+right"] * 20)
        assert panel.note == "select a name to see suggestions"
        drawn: list[object] = []
        draw = panel.refresh

        def counted(*args: object, **kwargs: object) -> SuggestionList:  # the real one, counted
            drawn.append(args)
            return draw(*args, **kwargs)

        panel.refresh = counted  # type: ignore[method-assign]
        await pilot.press("shift+right", "shift+right", "shift+right")
        await pilot.pause(0.3)  # past the look-up's delay
        assert panel.note == "select a name to see suggestions"
        assert drawn == []
        await pilot.press("escape", "slash", *"gubadli", "enter")  # a name again: drawn, with its answer
        await until(pilot, lambda: panel.note != "select a name to see suggestions")
        assert drawn
