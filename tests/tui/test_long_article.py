"""A 1 MB article on one line under Pilot: the end of the text is reached, tagged and untagged, and what
the screen draws there is the text itself, with the label after the span."""

from __future__ import annotations

import re
from pathlib import Path

from annotator.model import ImportRecord
from annotator.store import Store
from annotator.text import BlockTokens
from annotator.tui.app import make_app
from annotator.tui.widgets.article import ArticleView

WORDS = [
    "Troops",
    "left",
    "Gubadli",
    "for",
    "Baku",
    "after",
    "talks",
    "in",
    "東京",
    "with",
    "the",
    "monitors",
]


def one_line_article(size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = WORDS[len(words) % len(WORDS)]
        words.append(word)
        length += len(word) + 1
    return " ".join([*words, "Stepanakert"])


def _rows(view: ArticleView) -> list[str]:
    return [
        "".join(s.text for s in view.render_line(y)) for y in range(view.scrollable_content_region.height)
    ]


async def test_a_one_line_megabyte_article_is_tagged_and_untagged_at_its_end(db: Path) -> None:
    text = one_line_article(1_000_000)
    with Store(db) as store:
        store.documents.import_records(
            [ImportRecord(text=text, key="big", source="test")], default_layer="alice"
        )
    store = Store(db)
    last = (len(text) - len("Stepanakert"), len(text))
    app = make_app(store, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert isinstance(view.tokens, BlockTokens)  # the long text's path, not a list of every token
        await pilot.press("G")
        assert view.selection == last
        await pilot.press("p")
        with Store(db) as fresh:
            doc = fresh.documents.ids()[0]
            assert [(s.start, s.end, s.label) for s in fresh.edits.spans(doc, "alice")] == [(*last, "PLACE")]
        await pilot.pause()
        rows = [row.rstrip() for row in _rows(view) if row.strip()]
        assert rows[-1].endswith("Stepanakert PLACE")
        for row in rows:  # every row drawn is a piece of the text (the tags aside), nothing cut off
            assert re.sub(r" (ACTOR|PLACE|EVENT)\??", "", row).strip() in text
        line = view.text_layout.line_of(last[0])
        assert view.text_layout.line_spans[line][-1].label == "PLACE"
        await pilot.press("u")
        with Store(db) as fresh:
            assert fresh.edits.spans(fresh.documents.ids()[0], "alice") == []
        await pilot.pause()
        rows = [row.rstrip() for row in _rows(view) if row.strip()]
        assert re.sub(r" [A-Z]+\?", "", rows[-1]).endswith("Stepanakert")  # a proposal's tag aside
        assert not re.search(r" PLACE(?!\?)", "".join(rows))  # no span's tag left
        await pilot.press("ctrl+home")
        assert view.selection == (0, len("Troops"))
        assert view.scroll_offset.y == 0
    store.close()
