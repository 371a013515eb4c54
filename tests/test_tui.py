from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from annotator.importing import find_files, read_files
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView, visible, wrap
from tests.conftest import SEED


@pytest.fixture
def seeded(db: Path) -> Store:
    store = Store(db)
    store.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    yield store
    store.close()


def _spans(db: Path, layer: str = "alice") -> list[tuple[int, int, str]]:
    with Store(db) as fresh:  # a second connection: what is on disk
        return [(s.start, s.end, s.label) for s in fresh.spans(fresh.document_ids()[0], layer)]


async def test_search_tag_relabel_remove_undo_redo(seeded: Store, db: Path) -> None:
    app = make_app(seeded, "alice")
    text = SEED.read_text(encoding="utf-8")
    gubadli = text.index("Gubadli")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"gubadli", "enter", "escape")
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
        await pilot.press("d")
        doc = seeded.document_ids()[0]
        assert seeded.status(doc, "alice") == "done"
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)


def test_wrap_covers_the_text_and_fits_the_width() -> None:
    text = SEED.read_text(encoding="utf-8")
    for width in (20, 57, 80):
        lines = wrap(text, width)
        assert lines[0][0] == 0 and lines[-1][1] == len(text)
        for (_s1, e1), (s2, _) in itertools.pairwise(lines):
            assert e1 <= s2
            assert text[e1:s2].strip(" \n") == ""
        from rich.cells import cell_len

        assert all(cell_len(text[s:e].rstrip(" ")) <= width for s, e in lines)


def test_control_characters_show_as_symbols() -> None:
    assert visible("a\x1b]0;x\x07b\x9b") == "a\u241b]0;x\u2407b\ufffd"
