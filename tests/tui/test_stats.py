"""The statistics screen (``S``): each annotator's progress, and per day documents done, spans per label,
time and keys per span with bars and sparklines, the figures of ``annotator stats --daily``."""

from __future__ import annotations

import time
from pathlib import Path

from textual.geometry import Region
from textual.widgets import Static

from annotator.daily_chart import duration
from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.stats import StatsScreen

DAY1 = time.mktime((2026, 3, 2, 12, 0, 0, 0, 0, -1))
DAY2 = DAY1 + 24 * 3600


def store_of_two_days(db: Path) -> Store:
    """alice on 2026-03-02: three spans, a document done, 120 s and 30 keys; on 2026-03-03 one span,
    40 s and 10 keys; bob on 2026-03-03: a span of his own and 50 s, 5 keys."""
    store = Store(db)
    texts = {f"d{n}": f"Iran says Turkey shelled Lachin and Baku {n}." for n in (1, 2, 3)}
    store.documents.import_records(
        [ImportRecord(text=t, key=k, source="t") for k, t in texts.items()], "alice"
    )
    d1, d2, d3 = (store.documents.id_of(key) for key in texts)
    spans = [Span(0, 4, "ACTOR"), Span(10, 16, "ACTOR"), Span(25, 31, "PLACE")]
    store.edits.edit(d1, "alice", add=spans, who="alice")
    store.progress.set_status(d1, "alice", "done")
    store.edits.edit(d2, "alice", add=[Span(36, 40, "PLACE")], who="alice")
    store.edits.edit(d3, "bob", add=[Span(0, 4, "ACTOR")], who="bob")
    for doc, layer, seconds, keys in [
        (d1, "alice", 120.0, 30),
        (d2, "alice", 40.0, 10),
        (d3, "bob", 50.0, 5),
    ]:
        store.progress.add_time(doc, layer, seconds, keys)
    when = {d1: DAY1, d2: DAY2, d3: DAY2}
    for doc, at in when.items():
        store.conn.execute("UPDATE spans SET created = ? WHERE doc_id = ?", (at, doc))
        store.conn.execute("UPDATE doc_status SET updated = ? WHERE doc_id = ?", (at, doc))
    store.conn.execute("DELETE FROM effort_days")
    store.conn.executemany(
        "INSERT INTO effort_days (layer, day, seconds, keys) VALUES (?, ?, ?, ?)",
        [
            ("alice", "2026-03-02", 120.0, 30),
            ("alice", "2026-03-03", 40.0, 10),
            ("bob", "2026-03-03", 50.0, 5),
        ],
    )
    store.conn.commit()
    return store


def screen_text(screen: StatsScreen) -> str:
    """What the statistics screen's texts show, line by line as drawn."""
    lines = []
    for static in screen.query(Static):
        width, height = static.size
        lines += [strip.text.rstrip() for strip in static.render_lines(Region(0, 0, width, height))]
    return "\n".join(lines)


async def test_s_shows_each_annotators_days_with_their_figures(db: Path) -> None:
    store = store_of_two_days(db)
    app = make_app(store, "alice", doc_key="d2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        annotate = app.screen
        assert isinstance(annotate, AnnotateScreen)
        await pilot.press("S")
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        await pilot.pause()
        shown = screen_text(stats).splitlines()
        # opening the screen counted the keys and time on the open document (d2, today) first
        today = time.strftime("%Y-%m-%d")
        (seconds, keys), *_ = store.conn.execute(
            "SELECT seconds, keys FROM effort_days WHERE layer = 'alice' AND day = ?", (today,)
        ).fetchall()
        assert keys >= 1
        assert "alice: spans per day █▃" in shown  # 3 spans, then 1
        rows = [line.split() for line in shown if line.startswith("2026-03-0")]
        # day, done, ACTOR, PLACE, EVENT, spans, bar, time, s/span, k/span
        assert rows[0] == ["2026-03-02", "1", "2", "1", "0", "3", "█" * 8, "0:02:00", "40.0", "10.0"]
        assert rows[1] == ["2026-03-03", "0", "0", "1", "0", "1", "███", "0:00:40", "40.0", "10.0"]
        assert rows[2] == ["2026-03-03", "0", "1", "0", "0", "1", "█" * 8, "0:00:50", "50.0", "5.0"]
        assert "bob: spans per day █" in shown
        progress = {
            line.split()[0]: line.split()[1:] for line in shown if line.startswith(("alice ", "bob "))
        }
        # done of all documents, a bar, in progress (d2), spans, time (160 s and what the screen counted)
        assert progress["alice"] == ["1", "of", "3", "███░░░░░░░", "33%", "1", "4", duration(160 + seconds)]
        assert progress["bob"] == ["0", "of", "3", "░" * 10, "0%", "1", "1", "0:00:50"]
        await pilot.press("escape")
        assert app.screen is annotate
    store.close()


async def test_at_80_columns_the_labels_move_to_their_own_table_and_nothing_is_cut(db: Path) -> None:
    store = store_of_two_days(db)
    app = make_app(store, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        text = screen_text(stats)
        assert "…" not in text
        rows = [line.split() for line in text.splitlines() if line.startswith("2026-03-02")]
        assert rows[0] == ["2026-03-02", "1", "3", "█" * 8, "0:02:00", "40.0", "10.0"]
        alice = text[: text.index("bob:")].splitlines()
        labels = [line.split() for line in alice if line.startswith(("ACTOR", "PLACE", "EVENT"))]
        # total, a sparkline of the days (ACTOR on the first only), a bar
        assert labels == [["ACTOR", "2", "█", "█" * 8], ["PLACE", "2", "██", "█" * 8], ["EVENT", "0"]]
        for line in text.splitlines():
            assert len(line) <= stats.query_one("#progress").size.width
    store.close()
