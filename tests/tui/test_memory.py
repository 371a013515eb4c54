"""The in-document memory on the annotation screen, beyond the words tagged: a name inside a tagged
name is proposed inside the span (and taken with the proposal keys as a nested span), and a tagged
name's acronym is proposed where it stands."""

from __future__ import annotations

from pathlib import Path

from annotator.model import ImportRecord
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.article_lines import ArticleLook
from tests.tui.test_suggestions import until

TEXT = (
    "Southern Indiana is flat. The University of Southern Indiana opened a museum.\n\n"
    "The Kennedy Space Center is in Florida. Visitors to KSC saw the shuttle.\n\n"
    "The first shuttle launch was in 1981. The last launch was in 2011."
)


def _at(needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def _project(db: Path) -> Store:
    store = Store(db)
    store.documents.import_records([ImportRecord(TEXT, "museum", "corpus")], "alice")
    return store


async def _tag(pilot, screen: AnnotateScreen, view: ArticleView, where: tuple[int, int], key: str) -> None:  # type: ignore[no-untyped-def]
    asked = screen._proposer.answers if screen._proposer is not None else 0
    view.select_offsets(*where)
    await pilot.press(key)
    await until(pilot, lambda: not screen.writes_pending)
    # the proposals computed again from what the spans teach now (after the screen's pause)
    await until(pilot, lambda: screen._proposer is not None and screen._proposer.answers > asked, seconds=30)
    await until(pilot, lambda: screen._proposer is not None and not screen._proposer.busy, seconds=30)
    await pilot.pause()


async def test_a_name_tagged_before_is_proposed_inside_a_tagged_name_and_taken_as_a_nested_span(
    db: Path,
) -> None:
    store = _project(db)
    app = make_app(store, "alice", use_model=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: screen._proposer is not None)
        await _tag(pilot, screen, view, _at("Southern Indiana"), "p")
        university = _at("University of Southern Indiana")
        await _tag(pilot, screen, view, university, "a")
        inner = _at("Southern Indiana", 1)
        assert (*inner, "PLACE") in {(p.start, p.end, p.label) for p in view.proposals}
        # drawn inside the span: underlined in italics on its colour, "PLACE?" after it
        line = view.text_layout.line_of(inner[0])
        segments = ArticleLook(screen.label_styles).line(
            view.text_layout, line, view.rich_style, None, None, view.proposals, []
        )
        drawn = {segment.text: segment.style for segment in segments}
        assert drawn["Southern Indiana"] is not None and drawn["Southern Indiana"].italic
        assert drawn["Southern Indiana"].underline and drawn["Southern Indiana"].bgcolor is not None
        assert " PLACE?" in drawn
        assert view.selection == university
        await pilot.press("y")  # off a proposal: to the next one, the name inside
        assert view.selection == inner
        await pilot.press("y")
        await until(pilot, lambda: not screen.writes_pending)
        layer = {(s.start, s.end, s.label) for s in store.edits.spans(screen.doc_id, "alice")}
        assert layer == {(*_at("Southern Indiana"), "PLACE"), (*university, "ACTOR"), (*inner, "PLACE")}
        assert not view.proposal_at(*inner)  # taken: no longer offered
    store.close()


async def test_a_tagged_names_acronym_is_proposed_with_its_label(db: Path) -> None:
    store = _project(db)
    app = make_app(store, "alice", use_model=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: screen._proposer is not None)
        await _tag(pilot, screen, view, _at("Kennedy Space Center"), "p")
        assert (*_at("KSC"), "PLACE") in {(p.start, p.end, p.label) for p in view.proposals}
    store.close()


async def test_a_tagged_phrases_head_noun_is_proposed_again_with_its_phrase(db: Path) -> None:
    store = _project(db)
    app = make_app(store, "alice", use_model=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.query_one(ArticleView)
        await until(pilot, lambda: screen._proposer is not None)
        await _tag(pilot, screen, view, _at("first shuttle launch"), "e")
        assert (*_at("last launch"), "EVENT") in {(p.start, p.end, p.label) for p in view.proposals}
    store.close()
