"""`annotator backup` (an online copy) and `annotator check` (what is wrong, one line each)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import Span
from annotator.store import Store
from tests.conftest import SEED


def seeded(run, db: Path) -> None:
    assert run("import", str(SEED)).exit_code == 0
    with Store(db) as store:
        store.edits.edit(store.documents.ids()[0], "alice", add=[Span(0, 7, "PLACE")], who="alice")


def test_backup_copies_while_the_database_is_open_and_never_overwrites(run, db: Path, tmp_path: Path) -> None:
    seeded(run, db)
    writer = sqlite3.connect(db)  # another process's connection, mid-transaction
    writer.execute("BEGIN")
    writer.execute("UPDATE doc_status SET seconds = 99")
    copy = tmp_path / "copy.db"
    result = run("backup", str(copy))
    assert result.exit_code == 0 and result.stdout == f"backed up 1 document to {copy}\n"
    writer.rollback()
    writer.close()
    with Store(copy) as backup:
        spans = backup.edits.spans(backup.documents.ids()[0], "alice")
        assert [(s.start, s.end, s.label) for s in spans] == [(0, 7, "PLACE")]
    before = copy.read_bytes()
    again = run("backup", str(copy))
    assert again.exit_code == 1
    assert again.stderr == f"annotator: error: {copy}: already exists; a backup never overwrites a file\n"
    assert copy.read_bytes() == before
    assert run("backup", str(tmp_path / "no" / "copy.db")).exit_code == 1


def test_check_says_ok_and_then_lists_what_is_wrong(run, db: Path) -> None:
    seeded(run, db)
    result = run("check")
    assert result.exit_code == 0 and result.stdout == "ok: 1 document, 1 span\n"
    conn = sqlite3.connect(db)  # damage it behind annotator's back
    conn.execute("UPDATE documents SET text = 'short'")
    conn.commit()
    conn.close()
    result = run("check")
    assert result.exit_code == 1
    key = SEED.stem
    assert result.stdout.splitlines() == [
        f"document {key}: span 0-7 lies outside its 5 characters",
        f"document {key}: its text no longer matches its hash (changed after import)",
    ]
    assert result.stderr == f"annotator: error: {db}: 2 problems, listed above\n"


def test_check_on_a_missing_database_creates_nothing(run, db: Path) -> None:
    result = run("check")
    assert result.exit_code == 1 and "no such database" in result.stderr
    assert not db.exists()
