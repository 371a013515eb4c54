"""What merge brings in is checked as an import is: a database whose labels, layers, keys, texts or spans
an import would refuse is refused whole, with one line, and nothing is merged."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.model import ImportRecord, Span
from annotator.store import Store
from tests.unit.test_merge import dump


def _other(path: Path, damage: Callable[[sqlite3.Connection], None]) -> Path:
    with Store(path) as store:
        store.documents.import_records(
            [ImportRecord("Troops left Gubadli.", "d1", "t", spans=[Span(12, 19, "PLACE")])], "bob"
        )
    conn = sqlite3.connect(path)
    damage(conn)
    conn.commit()
    conn.close()
    return path


CASES = {
    "markup-label": (
        lambda c: c.execute("INSERT INTO labels VALUES ('[/]', 'z', 'not-a-colour', 9)"),
        "label name '[/]': letters, digits, - and _ only",
    ),
    "bad-colour": (
        lambda c: c.execute("INSERT INTO labels VALUES ('WEAPON', 'w', 'not-a-colour', 9)"),
        "WEAPON: colour 'not-a-colour' is not a colour",
    ),
    "osc-key": (
        lambda c: c.execute("UPDATE documents SET key = ? WHERE key = 'd1'", ("\x1b]0;pwned\x1b\\",)),
        "document key '\\x1b]0;pwned\\x1b\\\\' holds the control character '\\x1b'",
    ),
    "csi-layer": (
        lambda c: (
            c.execute("PRAGMA foreign_keys = OFF"),
            c.execute("UPDATE layers SET name = ? WHERE name = 'bob'", ("\x9b31mbob",)),
            c.execute("UPDATE spans SET layer = ? WHERE layer = 'bob'", ("\x9b31mbob",)),
        ),
        "layer '\\x9b31mbob' holds the control character '\\x9b'",
    ),
    "escape-in-text": (
        lambda c: c.execute(
            "UPDATE documents SET text = ? WHERE key = 'd1'", ("Troops \x1b[2J left Gubadli.",)
        ),
        "document 'd1': its text holds '\\x1b' at 7, which an import would have removed",
    ),
    "span-outside": (
        lambda c: c.execute('UPDATE spans SET "end" = 999'),
        "document 'd1', layer 'bob': span 12-999 'PLACE' is outside its text",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_database_an_import_would_refuse_is_not_merged(run, db: Path, tmp_path: Path, case: str) -> None:
    damage, expected = CASES[case]
    with Store(db) as store:
        store.documents.import_records([ImportRecord("Alice met Bob.", "k1", "t")], "alice")
    before = dump(db)
    other = _other(tmp_path / "other.db", damage)
    result = run("merge", str(other))
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith(f"annotator: error: {other}: cannot merge: {expected}")
    assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr and "\x9b" not in result.stderr
    assert dump(db) == before
    assert run("stats").exit_code == 0  # the database still opens and prints
