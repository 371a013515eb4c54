"""Boundaries and moving on the annotation screen: a wider tag replaces the same label, the selection's
ends swap, a span's edges grow and shrink in place, the ends of the document; every key that does nothing
says why in the status line. The database is checked after each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importing import find_files, read_files
from annotator.model import ImportRecord
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.status_line import StatusLine
from tests.conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")


@pytest.fixture
def seeded(db: Path) -> Store:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    yield store
    store.close()


def words(store: Store) -> list[tuple[str, str]]:
    with Store(store.path) as fresh:  # what is on disk
        spans = fresh.edits.spans(fresh.documents.ids()[0], "alice")
        return [(TEXT[s.start : s.end], s.label) for s in spans]


def status(app) -> str:
    line = app.screen.query_one(StatusLine)
    return f"{line.text.plain}  {line.right.plain}"


async def test_a_wider_tag_replaces_the_same_label_and_keeps_another_nested(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"arthur", "enter", "a")
        assert words(seeded) == [("Arthur", "ACTOR")]
        await pilot.press("shift+right", "a")  # Arthur Hansen: one ACTOR, not "Arthur ACTOR Hansen ACTOR"
        assert words(seeded) == [("Arthur Hansen", "ACTOR")]
        await pilot.press("slash", *"armenian defense", "enter", "O", "escape", "p")  # Armenian as PLACE
        await pilot.press("shift+right", "shift+right", "a")  # the ministry as ACTOR, Armenian stays PLACE
        assert ("Armenian Defense Ministry", "ACTOR") in words(seeded)
        assert ("Armenian", "PLACE") in words(seeded)
        await pilot.press("a")
        assert "Already ACTOR" in status(app)


async def test_x_on_a_wider_selection_removes_the_spans_inside_and_says_when_there_is_none(
    seeded: Store,
) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"arthur hansen", "enter", "a")
        await pilot.press("shift+right", "shift+right", "shift+right")  # "Arthur Hansen, an": wider
        await pilot.press("x")
        assert words(seeded) == []
        assert "Removed ACTOR" in status(app)
        await pilot.press("x")
        assert "No span here to remove" in status(app)


async def test_o_swaps_the_ends_and_a_spans_edges_grow_and_shrink(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"defense", "enter", "shift+right")  # Defense Ministry, cursor on Ministry
        await pilot.press("O", "shift+left")  # the cursor on Defense: extending goes left
        assert TEXT[slice(*view.selection)] == "Armenian Defense Ministry"
        await pilot.press("escape", "slash", *"hansen", "enter", "a")
        assert words(seeded) == [("Hansen", "ACTOR")]
        await pilot.press("less_than_sign")  # the start a token left: Arthur Hansen
        assert words(seeded) == [("Arthur Hansen", "ACTOR")]
        await pilot.press("greater_than_sign")  # the end a token right: the comma
        assert words(seeded) == [("Arthur Hansen,", "ACTOR")]
        await pilot.press("full_stop")  # and back
        assert words(seeded) == [("Arthur Hansen", "ACTOR")]
        await pilot.press("comma")  # the start a token right: Hansen
        assert words(seeded) == [("Hansen", "ACTOR")]
        await pilot.press("comma")  # no token would be left
        assert words(seeded) == [("Hansen", "ACTOR")]
        assert "cannot move" in status(app)
        await pilot.press("u")  # one undo step per move
        assert words(seeded) == [("Arthur Hansen", "ACTOR")]


async def test_ends_of_the_document_and_the_position_in_the_status_line(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert "line 1/" in status(app)
        await pilot.press("G")
        assert view.cursor == len(view.tokens) - 1
        lines = len(view.text_layout.lines)
        assert status(app).endswith(f"line {lines}/{lines} 100%")
        await pilot.press("ctrl+home")
        assert view.cursor == 0 and "line 1/" in status(app)
        await pilot.press("ctrl+end")
        assert view.cursor == len(view.tokens) - 1


async def test_keys_that_do_nothing_say_why(db: Path) -> None:
    store = Store(db)
    # No name in them: nothing to propose (the starter model proposes Baku as a place).
    records = [
        ImportRecord(text=f"Article {n} about nothing much.", key=f"k{n}", source="t") for n in range(2)
    ]
    store.documents.import_records(records, default_layer="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        assert "No proposals open" in status(app)
        await pilot.press("u")
        assert "Nothing to undo" in status(app)
        await pilot.press("less_than_sign")
        assert "No span under the cursor" in status(app)
        await pilot.press("right_square_bracket", "right_square_bracket")  # past the last: round, said
        assert app.screen.doc_key == "k0"
        assert "Round to the first document (1 of 2)" in status(app)
        await pilot.press("tab", "tab")  # the entities panel
        await pilot.press("down")
        assert "No entities in this document yet" in status(app)
        await pilot.press("l")
        assert "Labels on/off works in the article" in status(app)
        await pilot.press("escape")  # back to the article, where l works
        assert app.screen.query_one(ArticleView).has_focus
        await pilot.press("l")
        assert not app.screen.query_one(ArticleView).show_labels
    store.close()


async def test_a_span_edge_moves_in_gold_on_the_review_screen_too(db: Path) -> None:
    from tests.tui.test_review import HOT, two_layers
    from tests.tui.test_suggestions import until

    store = two_layers(db)
    app = make_app(store, "lead", review=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await until(pilot, lambda: getattr(screen, "review", None) is not None)
        await pilot.press("slash", *"minsk group", "enter", "e", "less_than_sign")
        gold = store.edits.spans(store.documents.id_of("hot"), "gold")
        assert (HOT.index("The Minsk"), HOT.index(" met"), "EVENT") in [
            (s.start, s.end, s.label) for s in gold
        ]
        assert (HOT.index("Minsk"), HOT.index(" met"), "EVENT") not in [
            (s.start, s.end, s.label) for s in gold
        ]
    store.close()


async def test_undo_and_redo_say_what_they_changed_and_go_there(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"arthur hansen", "enter", "a", "p")  # tagged, then relabelled
        await pilot.press("ctrl+home")
        await pilot.press("u")
        assert "Undid: PLACE Arthur Hansen; ACTOR Arthur Hansen back" in status(app)
        start = TEXT.index("Arthur Hansen")
        assert view.selection == (start, start + len("Arthur Hansen"))  # back where the edit was
        await pilot.press("u")
        assert "Undid: ACTOR Arthur Hansen" in status(app)
        await pilot.press("ctrl+home", "ctrl+r")
        assert "Redid: ACTOR Arthur Hansen back" in status(app)
        assert view.selection == (start, start + len("Arthur Hansen"))


async def test_gg_goes_to_the_start_and_g_alone_still_opens_the_document_list(seeded: Store) -> None:
    from annotator.tui.screens.picker import GG_S, GG_WAIT_S, DocumentPicker

    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(ArticleView)
        await pilot.press("G")
        assert view.cursor == len(view.tokens) - 1
        await pilot.press("g", "g")  # vim's gg: the list opens and closes, the cursor at the start
        await pilot.pause(GG_WAIT_S + 0.1)
        assert app.screen is screen and view.cursor == 0 and "line 1/" in status(app)
        await pilot.press("G", "g")
        await pilot.pause(GG_S + 0.1)
        assert isinstance(app.screen, DocumentPicker)
        await pilot.press("g")  # later: the filter's first letter
        assert isinstance(app.screen, DocumentPicker) and app.screen.query_one("#filter").value == "g"
        await pilot.press("escape", "g", *"gnaf")  # more letters at once: a filter, the list stays
        await pilot.pause(GG_WAIT_S + 0.1)
        assert isinstance(app.screen, DocumentPicker) and app.screen.query_one("#filter").value == "gnaf"
        await pilot.press("escape")
        assert app.screen is screen and view.cursor == len(view.tokens) - 1


async def test_V_selects_the_name_at_the_cursor_and_a_label_key_tags_it_whole(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"defense", "enter", "V")  # the cursor inside the name
        start = TEXT.index("Armenian Defense Ministry")
        assert view.selection == (start, start + len("Armenian Defense Ministry"))
        await pilot.press("a")
        assert words(seeded) == [("Armenian Defense Ministry", "ACTOR")]
        await pilot.press("slash", *"new military", "enter", "V", "e")  # a noun phrase (not "a")
        assert ("new military advantage", "EVENT") in words(seeded)


async def test_up_then_down_past_a_shorter_line_comes_back_to_the_same_word(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "lines.txt"
    source.write_text(
        "The quick brown fox jumps over the lazy dog.\nYes.\nThe slow green ant walks under the busy bee.\n"
    )
    with Store(db) as store:
        store.documents.import_records(read_files(find_files([source], "auto")), default_layer="alice")
        app = make_app(store, "alice", use_model=False)  # no proposal's tag moves the words
        text = source.read_text(encoding="utf-8")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            view = app.screen.query_one(ArticleView)
            await pilot.press("slash", *"busy", "enter")
            assert text[slice(*view.selection)] == "busy"
            await pilot.press("up")
            assert text[slice(*view.selection)] in ("Yes", ".")  # the short line's last word
            await pilot.press("down")
            assert text[slice(*view.selection)] == "busy"  # the column aimed at, not the short line's
            await pilot.press("up", "up")
            assert text[slice(*view.selection)] == "lazy"
            await pilot.press("left", "down", "down")  # a move across the line forgets the column
            assert text[slice(*view.selection)] != "busy"


async def test_j_and_k_select_the_next_and_previous_name_no_span_holds(seeded: Store) -> None:
    app = make_app(seeded, "alice", use_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert TEXT[slice(*view.selection)] == "Armenia"
        await pilot.press("j")
        assert TEXT[slice(*view.selection)] == "Karabakh"
        await pilot.press("a", "j")  # tagged; then the next name, the whole of it
        assert words(seeded) == [("Karabakh", "ACTOR")]
        assert TEXT[slice(*view.selection)] == "US"
        await pilot.press("k")  # back past the tagged Karabakh
        assert TEXT[slice(*view.selection)] == "Armenia"
        await pilot.press("k")
        assert TEXT[slice(*view.selection)] == "Armenia"  # nothing before it: it stays, and says so
        assert "No name before this one" in status(app)
        await pilot.press("slash", *"overnight", "enter", "j")
        assert TEXT[slice(*view.selection)] == "Nagorno-Karabakh"
