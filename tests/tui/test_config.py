"""The settings file in the app under Pilot: a remapped key tags and the help screen shows it; configured
labels tag by their key and their position."""

from __future__ import annotations

from pathlib import Path

from annotator.config import load_config
from annotator.importing import find_files, read_files
from annotator.keymap import key_actions
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.help import HelpScreen
from annotator.tui.widgets.article import ArticleView
from tests.conftest import SEED
from tests.functional.test_config import CONLL_LABELS


async def test_remapped_key_tags_and_the_help_screen_shows_it(db: Path) -> None:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    app = make_app(store, "alice", keymap={"annotate.tag_2": "k", "article.toggle_labels": "L"})
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("p")  # no longer bound: nothing happens
        assert store.edits.spans(store.documents.ids()[0], "alice") == []
        await pilot.press("k")
        spans = store.edits.spans(store.documents.ids()[0], "alice")
        assert [(s.start, s.end, s.label) for s in spans] == [(0, len("Armenia"), "PLACE")]
        view = app.screen.query_one(ArticleView)
        await pilot.press("L")
        assert not view.show_labels
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        tables = [s.content for s in app.screen.query("Static") if hasattr(s.content, "columns")]
        keys = [str(cell) for table in tables for cell in table.columns[0]._cells]
        actions = [str(cell) for table in tables for cell in table.columns[1]._cells]
        assert keys[actions.index("Place")] == "k"
        assert keys[actions.index("Labels on/off")] == "L"
    store.close()


async def test_the_annotation_screen_tags_with_the_configured_labels(db: Path) -> None:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    store.labels.define(load_config_text(CONLL_LABELS).labels or [])
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("o")  # ORG by its key
        await pilot.press("right", "4")  # MISC by its position
        spans = [(s.start, s.label) for s in store.edits.spans(store.documents.ids()[0], "alice")]
        assert spans == [(0, "ORG"), (len("Armenia "), "MISC")]
        await pilot.press("right", "a")  # no longer a label key: nothing
        assert len(store.edits.spans(store.documents.ids()[0], "alice")) == 2
    store.close()


def load_config_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "annotator.toml"
        path.write_text(text, encoding="utf-8")
        return load_config(path, key_actions())


async def test_the_guidelines_named_in_the_settings_show_on_a_key(db: Path, tmp_path: Path) -> None:
    from annotator.tui.screens.guidelines import GuidelinesScreen
    from annotator.tui.widgets.status_line import StatusLine

    (tmp_path / "GUIDE.md").write_text("# Our guidelines\n\nTag **ministries** as ACTOR.\n", encoding="utf-8")
    settings = tmp_path / "annotator.toml"
    settings.write_text('guidelines = "GUIDE.md"\n', encoding="utf-8")
    config = load_config(settings, key_actions())
    assert config.guidelines == (tmp_path / "GUIDE.md").resolve()
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    app = make_app(store, "alice", guidelines=config.guidelines)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, GuidelinesScreen)
        assert "ministries" in app.screen.query_one("Markdown").source
        await pilot.press("escape")
        assert not isinstance(app.screen, GuidelinesScreen)
    bare = make_app(store, "alice")
    async with bare.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("H")
        assert "No guidelines" in bare.screen.query_one(StatusLine).text.plain
    store.close()


async def test_help_says_each_labels_line_from_the_guidelines(db: Path, tmp_path: Path) -> None:
    from annotator.tui.screens.help import HelpScreen

    guide = tmp_path / "GUIDE.md"
    guide.write_text(
        "# Labels\n\n## ACTOR\nWho acts or speaks.\n\n- **EVENT**: a named occurrence.\n", "utf-8"
    )
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    app = make_app(store, "alice", guidelines=guide)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app.screen)
        assert rows["a, 1"] == "Actor: Who acts or speaks."
        assert rows["p, 2"] == "Place"  # the guidelines say nothing about PLACE
        assert rows["e, 3"] == "Event: a named occurrence."
        await pilot.press("escape")
        guide.write_text("## PLACE\nA \x1b[31mnamed place.\n", "utf-8")  # read again each time: edits show
        await pilot.press("question_mark")
        await pilot.pause()
        rows = help_rows(app.screen)
        assert rows["a, 1"] == "Actor" and rows["p, 2"] == "Place: A \\x1b[31mnamed place."
    store.close()


def help_rows(screen) -> dict[str, str]:
    """The help screen's rows of its first section (the screen's keys): keys, description."""
    from rich.table import Table
    from textual.widgets import Static

    table = next(s.content for s in screen.query(Static) if isinstance(s.content, Table))
    keys, described = (list(column.cells) for column in table.columns)
    return {str(k): str(d) for k, d in zip(keys, described, strict=True)}
