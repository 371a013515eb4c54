"""Paging through a long article: the pages either side of the one shown are drawn while the keys rest,
so that a page down or up draws only the lines its cursor left and reached; what they show is what
drawing them then would show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.model import ImportRecord
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.widgets.article import ArticleView, changed_ranges

SENTENCE = "Troops left Gubadli for Baku after talks in Yerevan with the monitors on Tuesday. "


async def test_a_page_down_or_up_draws_only_the_cursor_lines_once_the_keys_rest(db: Path) -> None:
    text = SENTENCE * 300  # about 210 lines at 120 columns: five pages
    with Store(db) as store:
        store.documents.import_records([ImportRecord(text=text, key="long", source="t")], default_layer="a")
        app = make_app(store, "a")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(2.0)
            view = app.screen.query_one(ArticleView)
            drawn: list[int] = []
            draw = view._render_article_line

            def counted(line: int) -> Any:
                if getattr(view, "_frame", True) is not None:  # in a frame, not ahead of one
                    drawn.append(line)
                return draw(line)

            view._render_article_line = counted  # type: ignore[method-assign]
            for key in ("pagedown", "pagedown", "pageup"):
                await pilot.pause(0.3)  # the keys rest: the pages around are drawn
                drawn.clear()
                await pilot.press(key)
                await pilot.pause()
                cursor = view._line_of(view.tokens[view.cursor][0])
                top = view.scroll_offset.y
                assert top <= cursor < top + view.scrollable_content_region.height
                assert len(drawn) <= 2, (key, drawn)  # where the cursor was and is, not the page
                lines = view.text_layout.lines
                for line in range(top, top + view.scrollable_content_region.height):
                    assert list(view._cache[lines[line]]) == list(draw(line))  # drawn ahead: as drawn now


def test_a_selection_that_moves_clear_of_itself_redraws_its_old_and_new_tokens_only() -> None:
    cursors = [(10, 14), (900, 905)]
    assert changed_ranges((10, 14), (900, 905), cursors) == [(10, 14), (900, 905), *cursors]
    # one that grows or shrinks: the edges that moved
    assert changed_ranges((10, 14), (10, 30), [(10, 14), (25, 30)]) == [(14, 30), (10, 14), (25, 30)]
