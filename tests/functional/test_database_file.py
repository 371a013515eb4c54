"""Which commands create a database file and which refuse one: a command that only reads never creates or
changes a database, one that adds creates it, and another application's database is left untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SEED, make_project


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["agreement"],
        ["disagreements", "--json"],
        ["kb", "search", "Paris"],
        ["suggest"],
        ["assign", "--users", "alice,bob"],
        ["annotate"],
        ["review"],
    ],
)
def test_reading_a_missing_database_is_an_error(run, db: Path, args: list[str]) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"annotator: error: {db}: no such database (use 'annotator import PATH' to create one)\n"
    )
    assert list(db.parent.iterdir()) == []


def test_an_empty_file_is_not_made_a_database_by_reading(run, db: Path) -> None:
    db.touch()
    result = run("stats")
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {db}: empty database, no annotator tables"
        " (use 'annotator import PATH' to fill it)\n"
    )
    assert db.read_bytes() == b""
    assert run("import", str(SEED)).exit_code == 0  # import fills it
    assert run("stats", "--json").exit_code == 0


def test_another_applications_database_is_refused_untouched(run, db: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    kb = tmp_path / "kb.csv"
    kb.write_text("Paris,PLACE\n", encoding="utf-8")
    other = tmp_path / "other.db"
    make_project(other)
    commands = [["stats"], ["import", str(SEED)], ["kb", "import", str(kb)], ["merge", str(other)]]
    for args in [*commands, ["suggest"]]:
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"annotator: error: {db}: not an annotator database: it holds another application's tables;"
            " give another --db\n"
        )
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, "kb.csv", other.name])


def test_commands_that_add_create_the_database(run, db: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.csv"
    kb.write_text("Paris,PLACE\n", encoding="utf-8")
    assert run("kb", "import", str(kb)).exit_code == 0
    assert db.is_file()
    db.unlink()
    other = tmp_path / "other.db"
    make_project(other)
    assert run("merge", str(other)).exit_code == 0
    assert run("stats", "--json").exit_code == 0
