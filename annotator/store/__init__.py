"""The SQLite database: a thin :class:`Store` facade over one object per set of tables and their rules.

A call names what it touches: ``store.edits.undo(doc_id, layer)``, ``store.progress.set_status(...)``,
``store.documents.import_records(...)``. The package imports no algorithm (agreement, suggestions, KB
look-up, assignment, review), no file format and no TUI: they read and write through it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store.connection import Connection, connect
from annotator.store.documents import Documents
from annotator.store.edits import Edits
from annotator.store.exports import Exports
from annotator.store.kb import KnowledgeBaseTables
from annotator.store.labels import Labels, Layers
from annotator.store.maintenance import Maintenance
from annotator.store.merge import Merge
from annotator.store.models import Models
from annotator.store.progress import Progress
from annotator.store.schema import check_opened, migrate
from annotator.store.teams import Teams
from annotator.store.tokens import Tokens

__all__ = ["Store"]

WAL_SIZE_LIMIT = 64 << 20


def _cannot_open(err: sqlite3.OperationalError) -> str:
    """What to say when SQLite cannot open or write the file (not a damaged one: that is a DatabaseError)."""
    reason = str(err)
    if reason in ("unable to open database file", "attempt to write a readonly database"):
        return (
            f"cannot open the database to write ({reason}): the file or its folder is read-only; annotator"
            " keeps its WAL file beside the database and writes it even to read: give write access, or"
            " copy the database to a folder you can write"
        )
    return reason


class Store(Connection):
    """An open annotator database. Every method that writes commits before it returns.

    ``conn``, ``db`` (sqlite-utils), ``path`` and ``transaction()`` come from :class:`Connection`; the
    tables are reached through the attributes below.
    """

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """Open the database at ``path``; ``create=False`` (commands that only read or annotate) refuses a
        missing or empty file instead of making a new database. A SQLite file of another application
        (tables, but no annotator schema) is refused either way, untouched."""
        path = Path(path)
        if path.is_dir():
            raise AnnotatorError("is a folder, not a database file", path)
        if not create and not path.exists():
            raise AnnotatorError("no such database (use 'annotator import PATH' to create one)", path)
        if not path.parent.is_dir():
            raise AnnotatorError(f"no such folder {str(path.parent)!r}: create it first", path)
        try:
            conn = connect(path, create)
        except sqlite3.OperationalError as err:
            raise AnnotatorError(_cannot_open(err), path) from None
        try:
            try:
                rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            except sqlite3.OperationalError as err:
                raise AnnotatorError(_cannot_open(err), path) from None
            except sqlite3.DatabaseError as err:
                raise AnnotatorError(f"not an annotator database ({err})", path) from None
            super().__init__(path, conn)
            check_opened(self.db, {r[0] for r in rows}, create, path)
        except BaseException:
            conn.close()
            raise
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # A WAL that a long import or merge grew (or that a killed one left) is cut back to this once
        # checkpointed, rather than keeping its largest size on disk for good.
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        migrate(self)

        self.labels = Labels(self)
        self.layers = Layers(self)
        self.progress = Progress(self, self.labels, self.layers)
        self.documents = Documents(self, self.labels, self.layers, self.progress)
        self.kb = KnowledgeBaseTables(self, self.labels)
        self.edits = Edits(self, self.layers, self.progress, self.kb)
        self.tokens = Tokens(self)
        self.exports = Exports(self)
        self.teams = Teams(self)
        self.models = Models(self)
        self.merge = Merge(self, self.documents, self.models)
        self.maintenance = Maintenance(self)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
