"""Databases made before the migrations were renumbered: the token cache was ``0002_export`` (a second
``0002``) and the assignments ``0003_teams``. Such a file opens as it is, with nothing re-run, rewritten
or called newer, and ``annotator check`` finds nothing wrong with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.store.schema import FORMER_NAMES
from annotator.store.tokens import pack_offsets
from tests.conftest import SEED

FORMER_ORDER = ["0001_initial", "0002_kb", "0002_export", "0003_teams"]
"""The migrations, by the names annotator recorded before the renumbering, in the order it applied them."""


def recorded(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT name, applied_at FROM _sqlite_migrations ORDER BY id").fetchall()
    finally:
        conn.close()


def with_former_names(db: Path, upto: int = len(FORMER_ORDER)) -> None:
    """Make ``db`` what the former annotator left: its migration names, only the first ``upto`` applied
    (a later migration's table dropped with its record)."""
    current = {new: old for old, new in FORMER_NAMES.items()}
    conn = sqlite3.connect(db)
    for name, _ in recorded(db):
        conn.execute("UPDATE _sqlite_migrations SET name = ? WHERE name = ?", (current.get(name, name), name))
    if upto < len(FORMER_ORDER):
        assert FORMER_ORDER[upto:] == ["0003_teams"]
        conn.execute("DROP TABLE assignments")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0003_teams'")
    conn.commit()
    conn.close()
    # Migrations added after the renumbering keep their records: they have no former name.
    assert [name for name, _ in recorded(db) if name in FORMER_ORDER] == FORMER_ORDER[:upto]


def project(db: Path) -> None:
    """A database with a row in every table the renumbered migrations made."""
    with Store(db) as store:
        store.documents.import_records(
            [ImportRecord("Troops left Gubadli.", "d1", "t", spans=[Span(12, 19, "PLACE")])], "alice"
        )
        doc_id = store.documents.id_of("d1")
        store.tokens.save("v1", [(doc_id, pack_offsets([0, 6]), pack_offsets([0]))])
        store.teams.set_assignments({doc_id: ["alice"]})


def test_a_database_with_the_former_names_opens_as_it_is(run, db: Path) -> None:
    project(db)
    with_former_names(db)
    before = recorded(db)
    with Store(db) as store:
        assert store.edits.spans(store.documents.id_of("d1"), "alice") == [
            Span(12, 19, "PLACE", None, "import", 1)
        ]
        assert store.teams.assignments() == {1: ["alice"]}
        assert store.maintenance.check() == []
    assert recorded(db) == before  # nothing re-run, nothing renamed
    result = run("check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "ok: 1 document, 1 span\n", "")
    assert run("import", str(SEED)).exit_code == 0  # writable, not refused as newer
    assert run("assign", "--users", "alice,bob").exit_code == 0
    assert recorded(db) == before


def test_a_database_from_before_the_assignments_gets_only_that_migration(run, db: Path) -> None:
    project(db)
    with_former_names(db, upto=3)
    before = recorded(db)
    with Store(db) as store:
        assert store.teams.assignments() == {}
    after = recorded(db)
    assert after[: len(before)] == before and [name for name, _ in after[len(before) :]] == ["0004_teams"]
    result = run("check")
    assert (result.exit_code, result.stdout) == (0, "ok: 1 document, 1 span\n")


def test_a_database_with_the_former_names_merges(run, db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    project(other)
    with_former_names(other)
    before = other.read_bytes()
    result = run("merge", str(other))
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        assert [store.documents.get(i).key for i in store.documents.ids()] == ["d1"]
    assert other.read_bytes() == before
