"""A label name and a document key an earlier annotator let in, holding escape sequences: the title, the
status line, the entity panel and the footer show them as text, nothing a terminal would act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.widgets.status_line import StatusLine
from annotator.tui.widgets.title_bar import TitleBar

LABEL = "EV\x1b]0;pwned\x07\x9b31m\u202e"
KEY = "k\x1b]52;c;cHduZWQ=\x07"
ACTING = ("\x1b", "\x07", "\x9b", "\u202e")


def _hostile(db: Path) -> Store:
    with Store(db) as store:
        store.documents.import_records(
            [ImportRecord("Troops left Gubadli.", "k", "t", spans=[Span(0, 6, "EVENT")])], "alice"
        )
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE labels SET name = ? WHERE name = 'EVENT'", (LABEL,))
    conn.execute("UPDATE spans SET label = ?", (LABEL,))
    conn.execute("UPDATE documents SET key = ?", (KEY,))
    conn.commit()
    conn.close()
    return Store(db)


async def test_title_status_line_entities_and_footer_show_names_as_text(db: Path) -> None:
    store = _hostile(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        title = app.screen.query_one(TitleBar).text.plain
        status = app.screen.query_one(StatusLine).text.plain
        footer = [binding.description for _, binding, *_ in app.screen.active_bindings.values()]
        entities = "\n".join(
            str(line.text) for line in app.screen.query_one("#entities").render_lines(app.screen.region)
        )
        assert "k\\x1b]52;c;cHduZWQ=\\x07" in title
        for shown in (title, status, *footer, entities):
            for char in ACTING:
                assert char not in shown, (char, shown)
    store.close()
