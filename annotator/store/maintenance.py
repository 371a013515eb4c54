"""Maintenance: an online backup, and the checks ``annotator check`` runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store.connection import Connection, Tables
from annotator.store.documents import content_hash
from annotator.store.schema import pending_names


class Maintenance(Tables):
    """Reads the whole database: SQLite's own checks, the schema's, and the rules the tables keep."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._db = connection.db

    def backup(self, target: Path) -> None:
        """An online copy to ``target`` (a new file): SQLite's backup API, consistent even while
        annotators write, then checked."""
        if target.exists():
            raise AnnotatorError("already exists; a backup never overwrites a file", target)
        if not target.parent.is_dir():
            raise AnnotatorError(f"no folder {str(target.parent)!r} to write the backup in", target)
        copy = sqlite3.connect(str(target))
        try:
            self.conn.backup(copy)
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        finally:
            copy.close()
        if problems != ["ok"]:
            target.unlink(missing_ok=True)
            raise AnnotatorError(f"the copy does not pass its integrity check: {problems[0]}", target)

    def check(self) -> list[str]:
        """Everything wrong with the database, one line each (an empty list: nothing)."""
        problems = [f"integrity: {row[0]}" for row in self.conn.execute("PRAGMA integrity_check")]
        if problems == ["integrity: ok"]:
            problems = []
        for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} points at a missing {parent} row")
        pending = pending_names(self._db)
        if pending:
            problems.append(f"schema: migrations not applied: {', '.join(pending)}")
        for key, start, end, length in self.conn.execute(
            'SELECT d.key, s.start, s."end", length(d.text) FROM spans s JOIN documents d ON d.id = s.doc_id'
            ' WHERE s."end" > length(d.text) OR s.start < 0'
        ):
            problems.append(f"document {key}: span {start}-{end} lies outside its {length} characters")
        for key, text, stored in self.conn.execute("SELECT key, text, hash FROM documents"):
            if content_hash(text) != stored:
                problems.append(f"document {key}: its text no longer matches its hash (changed after import)")
        for key, layer in self.conn.execute(
            "SELECT d.key, st.layer FROM doc_status st JOIN documents d ON d.id = st.doc_id"
            " WHERE st.layer NOT IN (SELECT name FROM layers)"
        ):
            problems.append(f"document {key}: a status for layer {layer!r}, which does not exist")
        return problems
