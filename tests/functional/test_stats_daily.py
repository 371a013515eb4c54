"""`annotator stats --daily`: per annotator and calendar day, documents done, spans per label, time and
keys per span, with bars and a sparkline; carried by merge (the larger of two sides, once)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from annotator.model import Span
from annotator.store import Store

DAY = 24 * 3600


def local_day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(ts))


def two_days_of_alice(run, db: Path, tmp_path: Path) -> tuple[str, str]:
    """Yesterday alice tagged two spans and finished a document; today one span, 40 s and 10 keys."""
    records = [{"id": f"d{n}", "text": f"Iran says Turkey shelled Lachin {n}."} for n in (1, 2)]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert run("import", str(tmp_path / "d.jsonl")).exit_code == 0
    yesterday = time.time() - DAY
    with Store(db) as store:
        d1, d2 = store.documents.id_of("d1"), store.documents.id_of("d2")
        store.edits.edit(d1, "alice", add=[Span(0, 4, "ACTOR"), Span(25, 31, "PLACE")], who="alice")
        store.progress.set_status(d1, "alice", "done")
        store.conn.execute("UPDATE spans SET created = ? WHERE doc_id = ?", (yesterday, d1))
        store.conn.execute("UPDATE doc_status SET updated = ? WHERE doc_id = ?", (yesterday, d1))
        store.conn.commit()
        store.edits.edit(d2, "alice", add=[Span(10, 16, "ACTOR")], who="alice")
        store.progress.add_time(d2, "alice", 30.0, 8)
        store.progress.add_time(d2, "alice", 10.0, 2)
    return local_day(yesterday), local_day(time.time())


def test_daily_figures_per_annotator_and_day(run, db: Path, tmp_path: Path) -> None:
    yesterday, today = two_days_of_alice(run, db, tmp_path)
    data = json.loads(run("stats", "--daily", "--json").stdout)
    assert list(data) == ["alice"]
    assert data["alice"] == {
        yesterday: {"documents_done": 1, "labels": {"ACTOR": 1, "PLACE": 1, "EVENT": 0}, "spans": 2,
                    "seconds": 0.0, "keys": 0, "seconds_per_span": None, "keys_per_span": None},
        today: {"documents_done": 0, "labels": {"ACTOR": 1, "PLACE": 0, "EVENT": 0}, "spans": 1,
                "seconds": 40.0, "keys": 10, "seconds_per_span": 40.0, "keys_per_span": 10.0},
    }  # fmt: skip


def test_daily_table_has_a_row_per_day_with_bars_and_a_sparkline(run, db: Path, tmp_path: Path) -> None:
    yesterday, today = two_days_of_alice(run, db, tmp_path)
    result = run("stats", "--daily")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == "alice: spans per day █▄"  # 2 spans, then 1: half the height
    first = next(line for line in lines if line.startswith(yesterday)).split()
    second = next(line for line in lines if line.startswith(today)).split()
    # day, done, ACTOR, PLACE, EVENT, spans, bar, time, s/span, k/span
    assert first == [yesterday, "1", "1", "1", "0", "2", "█" * 8, "0:00:00", "-", "-"]
    assert second == [today, "0", "1", "0", "0", "1", "█" * 4, "0:00:40", "40.0", "10.0"]
    for line in lines:
        assert len(line) <= 80, line


def test_daily_with_nothing_done_says_so(run, db: Path, tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "d", "text": "Quiet."}) + "\n", encoding="utf-8")
    assert run("import", str(tmp_path / "d.jsonl")).exit_code == 0
    result = run("stats", "--daily")
    assert result.exit_code == 0
    assert result.stdout == "nothing done yet: no document marked done, no span, no time counted\n"


def test_merge_carries_the_days_once(run, db: Path, tmp_path: Path) -> None:
    _, today = two_days_of_alice(run, db, tmp_path)
    other = tmp_path / "other.db"
    with Store(other) as store:
        store.merge.from_databases([db])
        store.merge.from_databases([db])
        rows = store.conn.execute("SELECT layer, day, seconds, keys FROM effort_days").fetchall()
    assert rows == [("alice", today, 40.0, 10)]
