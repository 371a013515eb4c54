"""Screens as the user sees them; baselines in tests/tui/__snapshots__, made with --snapshot-update and
reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from annotator.importing import find_files, read_files
from annotator.model import KbEntry, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.stats import StatsScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.suggestion_list import SuggestionList
from tests.conftest import SEED
from tests.tui.test_review import two_layers
from tests.tui.test_stats import store_of_two_days
from tests.tui.test_suggestions import until

GUIDELINES = """# Guidelines

## ACTOR
A person, group, organisation or state that acts or speaks (`Armenia says`).

- **PLACE**: a named geographic entity (country, region, city, town, village), whatever its role.
- **EVENT**: a named occurrence: a ceasefire, a conference, a war.
"""


@pytest.fixture
def app(db: Path):
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    text = SEED.read_text(encoding="utf-8")
    doc = store.documents.ids()[0]
    for word, label in [("Gubadli", "PLACE"), ("Arthur Hansen", "ACTOR"), ("news conference", "EVENT")]:
        start = text.index(word)
        store.edits.edit(doc, "alice", add=[Span(start, start + len(word), label)], who="alice")
    start = text.index("Armenian Defense Ministry")  # nested: an ACTOR holding a PLACE-like adjective
    ministry = Span(start, start + len("Armenian Defense Ministry"), "ACTOR")
    store.edits.edit(doc, "alice", add=[ministry], who="alice")
    store.edits.edit(doc, "alice", add=[Span(start, start + len("Armenian"), "PLACE")], who="alice")
    store.kb.add(
        [
            KbEntry("Qubadlı", "PLACE", ("Kubadli",), "geonames:147305", "Azerbaijan, 5,000"),
            KbEntry("Askyaran", "PLACE", ("Askeran",), "geonames:1", "Azerbaijan"),
            KbEntry("Armenia", "PLACE", (), "geonames:174982", "country", prominence=3e6),
            KbEntry("Armenia", "ACTOR", (), "country:AM", "the state", prominence=3e6),
        ]
    )
    guidelines = db.parent / "GUIDELINES.md"  # each label's line in the help
    guidelines.write_text(GUIDELINES, encoding="utf-8")
    yield make_app(store, "alice", guidelines=guidelines)
    store.close()


def settled(*keys: str):
    """Press ``keys``, then wait for the look-up threads: suggestions for the selection, proposals."""

    async def run_before(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, AnnotateScreen)
        await until(pilot, lambda: screen.kb is not None and bool(screen.query_one(ArticleView).proposals))
        await pilot.press(*keys)
        suggestions = screen.query_one(SuggestionList)
        await until(pilot, lambda: suggestions.note.startswith(("for", "nothing")))
        await pilot.pause()

    return run_before


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
def test_main_screen_with_spans(snap_compare, app, size) -> None:
    keys = ("down", "down", "shift+right", "shift+right")
    assert snap_compare(app, terminal_size=size, run_before=settled(*keys))


@SIZES
def test_suggestions_for_a_selection_and_proposals(snap_compare, app, size) -> None:
    keys = ("slash", *"armenia has", "enter", "shift+left")
    assert snap_compare(app, terminal_size=size, run_before=settled(*keys))


@SIZES
def test_suggestions_panel_focused(snap_compare, app, size) -> None:
    """Tab: the panel's border, its digits and its keys in the footer show where the focus is."""
    keys = ("slash", *"gubadli", "enter", "tab", "down")
    assert snap_compare(app, terminal_size=size, run_before=settled(*keys))


@SIZES
def test_help_screen(snap_compare, app, size) -> None:
    assert snap_compare(app, terminal_size=size, press=["question_mark", "_"])


@SIZES
def test_review_screen(snap_compare, tmp_path: Path, size) -> None:
    store = two_layers(tmp_path / "review.db")

    async def run_before(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await until(pilot, lambda: getattr(screen, "kb", None) is not None)
        await until(pilot, lambda: getattr(screen, "review", None) is not None)
        await pilot.press("2")  # one decision taken: bob's Shusha
        await until(pilot, lambda: screen.query_one(SuggestionList).note.startswith(("for", "nothing")))
        await pilot.pause()

    assert snap_compare(make_app(store, "lead", review=True), terminal_size=size, run_before=run_before)
    store.close()


@SIZES
def test_stats_screen(snap_compare, tmp_path: Path, size) -> None:
    """Opened as ``S`` opens it, without the time the key itself counts today (the dates stay fixed)."""
    store = store_of_two_days(tmp_path / "stats.db")

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.app.push_screen(StatsScreen(store))
        await pilot.pause()

    assert snap_compare(make_app(store, "alice"), terminal_size=size, run_before=run_before)
    store.close()
