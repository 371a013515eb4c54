"""The annotation screen under Pilot: tagging, relabelling, undo and redo, moving, the entity panel, documents
in turn, the mouse, resizing and wide characters, with the database checked after each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importing import find_files, read_files
from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from tests.conftest import SEED
from tests.functional.test_assign import import_texts


@pytest.fixture
def seeded(db: Path) -> Store:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    yield store
    store.close()


def _spans(db: Path, layer: str = "alice") -> list[tuple[int, int, str]]:
    with Store(db) as fresh:  # a second connection: what is on disk
        return [(s.start, s.end, s.label) for s in fresh.edits.spans(fresh.documents.ids()[0], layer)]


async def test_search_tag_relabel_remove_undo_redo(seeded: Store, db: Path) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    gubadli = text.index("Gubadli")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"gubadli", "enter")
        view = app.screen.query_one(ArticleView)
        assert view.selection == (gubadli, gubadli + 7)
        await pilot.press("p")
        assert _spans(db) == [(gubadli, gubadli + 7, "PLACE")]
        await pilot.press("a")  # tagging again changes the label
        assert _spans(db) == [(gubadli, gubadli + 7, "ACTOR")]
        await pilot.press("x")
        assert _spans(db) == []
        await pilot.press("u")
        assert _spans(db) == [(gubadli, gubadli + 7, "ACTOR")]
        await pilot.press("u")
        assert _spans(db) == [(gubadli, gubadli + 7, "PLACE")]
        await pilot.press("ctrl+r")
        assert _spans(db) == [(gubadli, gubadli + 7, "ACTOR")]


async def test_shift_arrows_extend_by_token_and_number_keys_tag(seeded: Store, db: Path) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("right", "right", "shift+right", "2")
        text = SEED.read_text(encoding="utf-8")
        [(start, end, label)] = _spans(db)
        assert (text[start:end], label) == ("Karabakh forces", "PLACE")


async def test_done_records_status_and_help_lists_keys(seeded: Store, db: Path) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("d")  # no spans: it asks first
        doc = seeded.documents.ids()[0]
        assert seeded.progress.status(doc, "alice") == "todo"
        await pilot.press("d")  # the same key straight after: yes
        assert seeded.progress.status(doc, "alice") == "done"
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)


async def test_entity_panel_jumps_to_a_span(seeded: Store, db: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    doc = seeded.documents.ids()[0]
    start = text.index("Martakert")
    seeded.edits.edit(doc, "alice", add=[Span(start, start + 9, "PLACE")], who="alice")
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "tab", "down", "enter")  # past the suggestions to the entities
        view = app.screen.query_one(ArticleView)
        assert view.selection == (start, start + 9)
        assert app.screen.query_one("EntityPanel").has_focus  # Enter again: its next place
        await pilot.press("escape")
        assert view.has_focus


async def test_documents_next_previous_goto_and_done_goes_to_the_next_unfinished(db: Path) -> None:
    store = Store(db)
    records = [ImportRecord(text=f"Article {n} about Baku.", key=f"k{n}", source="t") for n in range(3)]
    store.documents.import_records(records, default_layer="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.doc_key == "k0"
        view = screen.query_one(ArticleView)
        await pilot.press("right", "shift+right")  # "0 about" in k0
        await pilot.press("right_square_bracket")
        assert screen.doc_key == "k1"
        assert view.selection == (0, len("Article"))  # a document seen for the first time: its top
        await pilot.press("left_square_bracket")
        assert screen.doc_key == "k0"
        assert view.selection == (len("Article "), len("Article 0 about"))  # where it was left
        await pilot.press("left_square_bracket")
        assert screen.doc_key == "k2"  # wraps around
        await pilot.press("g", *"k1", "enter")
        assert screen.doc_key == "k1"
        await pilot.press("d", "d")  # no spans: d asks, d again says yes
        assert store.progress.status(store.documents.id_of("k1"), "alice") == "done"
        assert screen.doc_key == "k2"
        await pilot.press("d", "d", "d", "d")
        assert screen.doc_key == "k0"
        assert {store.progress.status(i, "alice") for i in store.documents.ids()} == {"done"}
    store.close()


async def test_mouse_drag_selects_tokens_and_time_is_recorded(seeded: Store, db: Path) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)

        def at(word: str) -> tuple[int, int]:  # a word's first cell on screen (a proposal's tag before it)
            return 1 + view.text_layout.column(text.index(word)), 0

        await pilot.mouse_down(view, offset=(2, 0))
        await pilot.hover(view, offset=at("Karabakh"))
        await pilot.mouse_up(view, offset=at("Karabakh"))
        start, end = view.selection
        assert text[start:end] == "Armenia says Karabakh"
        await pilot.click(view, offset=at("forces"), times=2)
        start, end = view.selection
        assert text[start:end] == "forces"
        app.screen._time.unsaved = 5.0  # as if the annotator had worked five seconds
    doc = seeded.documents.ids()[0]
    assert seeded.progress.stats()["layers"]["alice"]["seconds"] >= 5.0
    # only looked at, nothing tagged: not begun (assign may still give it to someone else)
    assert seeded.progress.status(doc, "alice") == "todo"


async def test_line_page_paragraph_and_edge_moves(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("end")  # the end of the wrapped line on screen
        _, line_end = view.text_layout.lines[0]
        assert view.selection[1] <= line_end and text[view.selection[1] : line_end].strip() == ""
        await pilot.press("home", "ctrl+down")
        assert view.selection[0] > text.index("failing.")
        await pilot.press("pagedown")
        assert view.scroll_offset.y > 0
        top = view.selection[0]
        await pilot.press("up", "down")
        assert view.selection[0] == top
        await pilot.press("shift+down")
        first, last = view.selection
        assert first == top  # the anchor stays; the cursor is on the next line with text
        here, there = view._line_of(top), view._line_of(last - 1)
        assert there > here
        lines = view.text_layout.lines
        assert all(lines[n][0] == lines[n][1] for n in range(here + 1, there))


async def test_command_palette_lists_our_actions(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Actor", "Place", "Event", "Remove", "Undo", "Redo", "Done", "Search", "Next doc"} <= titles
        assert {
            "Guidelines",
            "Help",
            "Next match",
            "Documents (pick one); gg: start of document",
        } <= titles  # the app's too


async def test_search_again_jumps_to_the_next_match_and_unknown_key_is_a_notice(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    first = text.index("Gubadli")
    second = text.index("Gubadli", first + 1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"gubadli", "enter")
        assert view.selection == (first, first + 7)
        await pilot.press("n")  # the next match, as in less and vim
        assert view.selection == (second, second + 7)
        await pilot.press("escape", "g", *"nope", "enter")
        assert app.screen.doc_key == SEED.stem  # still here, with a notice


async def test_wide_characters_keep_offsets_right(db: Path) -> None:
    text = "Talks in 東京 with 👩\u200d🔬 scientists at the cafe\u0301 today."
    store = Store(db)
    store.documents.import_records([ImportRecord(text=text, key="wide", source="t")], default_layer="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 20)) as pilot:  # the whole text on one screen line
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("right", "right", "shift+right", "p")  # 東 and 京 are one token each
        await pilot.press("right", "right", "e")  # the scientist emoji is one token
        await pilot.press("end", "left", "a")  # the token before the final stop
        # clicking on the emoji's second cell selects it, not the token after it (東京 has its tag, and a
        # proposal before it has one too)
        column = 2 + view.text_layout.column(text.index("👩")) + 1
        await pilot.click(view, offset=(column - 1, 0))
        start, end = view.selection
    saved = store.edits.spans(store.documents.id_of("wide"), "alice")
    spans = {(text[s.start : s.end], s.label) for s in saved}
    assert spans == {("東京", "PLACE"), ("👩\u200d🔬", "EVENT"), ("today", "ACTOR")}
    assert text[start:end] == "👩\u200d🔬"
    store.close()


def _row_text(view: ArticleView, offset: int) -> str:
    """The text of the screen row holding ``offset``, as the view draws it."""
    view.scroll_to_cursor()
    row = view.text_layout.line_of(offset) - view.scroll_offset.y
    return "".join(segment.text for segment in view.render_line(row))


async def test_labels_show_after_spans_and_l_hides_them(seeded: Store, db: Path) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    gubadli = text.index("Gubadli")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"gubadli", "enter")
        lines_before = len(view.text_layout.lines)
        await pilot.press("p")
        assert "Gubadli PLACE" in _row_text(view, gubadli)
        column = view.text_layout.column
        assert column(gubadli + 7, view.text) - column(gubadli, view.text) == len("Gubadli PLACE")
        await pilot.press("l")
        assert "Gubadli PLACE" not in _row_text(view, gubadli)
        assert len(view.text_layout.lines) <= lines_before
        await pilot.press("l")
        assert "Gubadli PLACE" in _row_text(view, gubadli)
    assert _spans(db) == [(gubadli, gubadli + 7, "PLACE")]  # showing labels changes nothing on disk


async def test_resize_rewraps_and_keeps_the_cursor_on_screen(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        # near the end of the article; Esc leaves the prompt and keeps the whole match selected
        await pilot.press("slash", *"for the sake", "enter")
        selection = view.selection
        assert selection is not None and text[selection[0] : selection[1]] == "for the sake"
        wide_lines = len(view.text_layout.lines)
        for size in ((60, 20), (200, 50), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert view.selection == selection
            row = view.text_layout.line_of(view.tokens[view.cursor][0]) - view.scroll_offset.y
            assert 0 <= row < view.scrollable_content_region.height
            assert view.text_layout.width == view.scrollable_content_region.width
        assert len(view.text_layout.lines) > wide_lines


async def test_entity_panel_rows_follow_tags_and_removals(seeded: Store) -> None:
    app = make_app(seeded, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one("EntityPanel")

        def drawn() -> list[str]:
            return ["".join(s.text for s in panel.render_line(y)).rstrip() for y in range(6)]

        await pilot.press("slash", *"gubadli", "enter", "p")
        await pilot.pause()
        assert drawn()[:4] == [" ACTOR  0", " PLACE  1", "  Gubadli", " EVENT  0"]
        await pilot.press("slash", *"arthur hansen", "enter", "a")
        await pilot.pause()
        assert drawn()[:5] == [" ACTOR  1", "  Arthur Hansen", " PLACE  1", "  Gubadli", " EVENT  0"]
        await pilot.press("x")
        await pilot.pause()
        assert drawn()[:4] == [" ACTOR  0", " PLACE  1", "  Gubadli", " EVENT  0"]


async def test_a_write_the_locked_database_refuses_is_said_and_not_shown(seeded: Store, db: Path) -> None:
    import sqlite3

    app = make_app(seeded, "alice", write_patience_s=0.2)  # the writer gives up after 0.2 s
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        other = sqlite3.connect(db)  # another annotator's process, in the middle of a write
        other.execute("BEGIN IMMEDIATE")
        await pilot.press("p")
        assert view.spans == []  # not on screen: it is not on disk
        for _ in range(200):  # the key was answered at once; the write fails once its patience is spent
            if app.writer.pending() == 0:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        assert view.spans == []
        assert any("Not saved" in str(n.message) for n in app._notifications)
        other.rollback()
        other.close()
        await pilot.press("p")  # the lock is gone: this one is saved, and shown
        assert [(s.start, s.end, s.label) for s in view.spans] == [(0, len("Armenia"), "PLACE")]
        assert app.is_running
    assert _spans(db) == [(0, len("Armenia"), "PLACE")]


async def test_annotation_screen_opens_the_first_assigned_document(run, db: Path, tmp_path: Path) -> None:
    from annotator.tui.app import make_app

    import_texts(run, tmp_path, 6)
    run("assign", "--users", "alice,bob,carol")
    with Store(db) as store:
        first_id = store.documents.ids()[0]
        # someone whose first assigned document is not the first document of the database
        user = next(u for u in ("alice", "bob", "carol") if store.teams.document_order(u)[0] != first_id)
        first = store.teams.document_order(user)[0]
        assert store.teams.assignments()[first] == [user]
        app = make_app(store, user)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.screen.doc_id == first  # type: ignore[attr-defined]


async def test_a_part_of_a_hyphenated_word_is_tagged_and_whole_words_take_one_key(db: Path) -> None:
    text = "the US-backed truce and Baku-Yerevan talks."
    store = Store(db)
    store.documents.import_records([ImportRecord(text, "hyphens", "t")], default_layer="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("right", "p")  # US alone: the hyphen is a token of its own
        await pilot.press("w", "w", "w")  # by whole words: truce, and, Baku
        assert view.selection == (text.index("Baku"), text.index("Baku") + 4)
        await pilot.press("W", "e")  # extended by a word: all of Baku-Yerevan
        await pilot.press("ctrl+left", "ctrl+left", "ctrl+left")  # back: Baku (its start), and, truce
        assert view.selection == (text.index("truce"), text.index("truce") + 5)
        await pilot.press("ctrl+shift+left", "a")  # truce, extended back over US-backed
    saved = store.edits.spans(store.documents.id_of("hyphens"), "alice")
    assert {(text[s.start : s.end], s.label) for s in saved} == {
        ("US", "PLACE"),
        ("Baku-Yerevan", "EVENT"),
        ("US-backed truce", "ACTOR"),
    }
    store.close()
