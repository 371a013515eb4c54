"""The article's lines and its scroll bar finished once and kept (``PaintedLines``, ``KeptScrollBar``):
what they give is what Textual's own styles pass gives, segment for segment; a page down finds its
lines and its scroll bar's rows finished while the keys rested; the article's own keys act in its own
turn, in order with the keys before them, each counted once."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.painted_lines import KeptScrollBar

SENTENCE = "Troops left Gubadli for Baku after talks in Yerevan with the monitors on Tuesday. "


def textuals(widget: Widget) -> list[list[object]]:
    """The widget's rows as Textual's own ``Widget.render_lines`` draws them now."""
    widget._styles_cache.clear()
    region = Region(0, 0, widget.region.width, widget.region.height)
    return [list(strip) for strip in Widget.render_lines(widget, region)]


def ours(widget: Widget) -> list[list[object]]:
    return [
        list(strip) for strip in widget.render_lines(Region(0, 0, widget.region.width, widget.region.height))
    ]


async def test_the_kept_lines_and_scroll_bar_rows_are_textuals_own_and_ready_before_a_page_down(
    db: Path,
) -> None:
    text = SENTENCE * 300  # five pages at 120 columns
    with Store(db) as store:
        store.documents.import_records([ImportRecord(text=text, key="long", source="t")], default_layer="a")
        app = make_app(store, "a")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(2.0)
            view = app.screen.query_one(ArticleView)
            view.set_spans([Span(12, 19, "PLACE"), Span(24, 28, "PLACE"), Span(900, 920, "EVENT")])
            view.set_proposals([Span(text.index("Yerevan", 2000), text.index("Yerevan", 2000) + 7, "PLACE")])
            bar = view.vertical_scrollbar
            assert isinstance(bar, KeptScrollBar)
            for key in ("pagedown", "pagedown", "shift+right", "pagedown", "pageup", "end", "pageup"):
                await pilot.pause(0.4)  # the keys rest: the pages around and the bar's rows are drawn
                lines = view.text_layout.lines
                page = view.scrollable_content_region.height - 1
                below = view.scroll_offset.y + page
                if key == "pagedown":
                    ahead = [lines[line] for line in range(below, min(below + page, len(lines)))]
                    assert all(line in view._painted for line in ahead)  # finished before the key
                    rows = bar._row_segments(bar._renderer(min(below, view.max_scroll_y)))  # type: ignore[arg-type]
                    assert all(row in bar._rows for row in rows)
                await pilot.press(key)
                await pilot.pause()
                assert ours(view) == textuals(view), key
                assert ours(bar) == textuals(bar), key


async def test_the_articles_keys_act_in_order_with_the_keys_before_them_each_counted_once(db: Path) -> None:
    text = SENTENCE * 300
    with Store(db) as store:
        store.documents.import_records([ImportRecord(text=text, key="long", source="t")], default_layer="a")
        app = make_app(store, "a")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            screen = app.screen
            assert isinstance(screen, AnnotateScreen)
            view = screen.query_one(ArticleView)
            driver = app._driver
            assert driver is not None
            # in one write: a tag (the screen's key, bubbling up to the app) and two of the article's
            for key, character in (("p", "p"), ("right", None), ("right", None)):
                driver.send_message(events.Key(key, character))
            for _ in range(5):
                await pilot.pause(0.05)
            assert [(s.start, s.end, s.label) for s in view.spans] == [(0, 6, "PLACE")]  # the first word
            assert view.cursor == 2
            assert screen.keys_pressed == 3
            top = view.scroll_offset.y
            await pilot.press("pagedown")
            assert screen.keys_pressed == 4
            assert view.scroll_offset.y == top + view.scrollable_content_region.height - 1  # one page
            assert isinstance(view.vertical_scrollbar, ScrollBar)
