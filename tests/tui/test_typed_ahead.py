"""Keys typed ahead, in one write with the key that opens a screen or a prompt (SSH users type ahead):
none is lost, none acts on the screen under the one that opened. The keys are handed to the app as the
terminal driver hands a whole write, before the app has drawn or acted on the first."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from annotator.model import ImportRecord
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.picker import DocumentPicker
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.prompt import Prompt

KEYS = ["art_1", "raw one", "rcs two", "GUM_news_afghan"]
CHARACTERS = {
    "question_mark": "?",
    "slash": "/",
    "escape": None,
    "enter": "\r",
    "right": None,
    "left": None,
    "backspace": "\x7f",
}


def typed(pilot: Pilot[None], *keys: str) -> None:
    """``keys`` in one write: every one read before the app handles the first."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        character = CHARACTERS.get(key, key)
        driver.send_message(events.Key(key, character))


async def settled(pilot: Pilot[None]) -> None:
    for _ in range(5):
        await pilot.pause(0.05)
    await pilot.pause()


@pytest.fixture
def store(db: Path) -> Store:
    store = Store(db)
    records = [ImportRecord(f"Talks in Baku about {key} went on.", key, "t") for key in KEYS]
    store.documents.import_records(records, default_layer="alice")
    yield store
    store.close()


def spans(store: Store) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for d in store.documents.ids() for s in store.edits.spans(d, "alice")]


async def test_the_filter_typed_with_g_is_the_document_lists_and_the_keys_after_enter_the_articles(
    store: Store,
) -> None:
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        typed(pilot, "g", *"raw")
        await settled(pilot)
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        assert picker.query_one("#filter", Input).value == "raw"
        assert [picker.keys[i] for i in picker.shown] == ["raw one"]
        typed(pilot, "enter", "right", "right")  # the next two keys move the cursor of the one opened
        await settled(pilot)
        assert app.screen is screen and isinstance(screen, AnnotateScreen) and screen.doc_key == "raw one"
        assert screen.query_one(ArticleView).cursor == 2
        typed(pilot, "g", *"rcs", "escape", "right")  # Esc: the same document, the key after it its
        await settled(pilot)
        assert app.screen is screen and screen.doc_key == "raw one"
        assert screen.query_one(ArticleView).cursor == 3
        assert spans(store) == []


async def test_gg_typed_at_once_goes_to_the_start_of_the_document(store: Store) -> None:
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("G")
        view = app.screen.query_one(ArticleView)
        assert view.cursor > 0
        typed(pilot, "g", "g")
        await pilot.pause(0.6)
        await settled(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        assert view.cursor == 0


async def test_a_search_typed_with_its_slash_is_the_prompts_and_tags_nothing(store: Store) -> None:
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        typed(pilot, "slash", *"about", "enter", "a")  # a: the tag key, on the match
        await settled(pilot)
        text = app.screen.query_one(ArticleView).text
        assert app.screen.query_one(Prompt).display is False
        at = text.index("about")
        assert spans(store) == [(at, at + 5, "ACTOR")]
        typed(pilot, "slash", *"ab")  # the a is the prompt's, not a tag under it
        await settled(pilot)
        assert app.screen.query_one(Prompt).value == "ab"
        assert spans(store) == [(at, at + 5, "ACTOR")]


async def test_the_filters_backspaces_and_arrows_act_in_order_with_the_letters_after_them(
    store: Store,
) -> None:
    """The input's Backspace, arrows (its bindings) act where they were typed among the letters: they
    used to act only once the key came back up to the app, after the letters read behind them."""
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        typed(pilot, "g", *"raw")
        await settled(pilot)
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        field = picker.query_one("#filter", Input)
        assert field.value == "raw"
        typed(pilot, "backspace", "backspace", "backspace", *"rcs")
        await settled(pilot)
        assert field.value == "rcs"
        assert [picker.keys[i] for i in picker.shown] == ["rcs two"]
        typed(pilot, "backspace", "left", "left", "backspace", "a", "right", "w")  # rc, then _rc, arc, arwc
        await settled(pilot)
        assert field.value == "arwc"


async def test_the_prompts_backspaces_act_in_order_and_every_key_typed_into_it_is_counted(
    store: Store,
) -> None:
    """The search prompt: Backspace in order with the letters; its letters and its Enter count as the
    screen's keys (and so in the time and keys per span stored), each key typed ahead once."""
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        doc_id = screen.doc_id
        typed(pilot, "slash", *"abx", "backspace", *"out", "enter")
        await settled(pilot)
        selected = view.selection
        assert selected is not None and view.text[selected[0] : selected[1]] == "about"
        assert screen.keys_pressed == 9
        typed(pilot, "slash", "a", "escape", "right", "right")  # Esc and the keys after it typed ahead
        await settled(pilot)
        assert screen.query_one(Prompt).display is False
        assert screen.keys_pressed == 14
        await pilot.press("slash", "T", "a", "backspace", "escape")  # one at a time
        await settled(pilot)
        assert screen.keys_pressed == 19
    assert store.progress.keys(doc_id, "alice") == 19
