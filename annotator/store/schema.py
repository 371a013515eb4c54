"""The database schema: its migrations, and the checks that a file is an annotator database this
version of annotator can open.

Migrations are named ``NNNN_what`` and applied in order. Databases made before the token cache and the
assignments were renumbered recorded them under their former names (:data:`FORMER_NAMES`); those rows
count as the current names, so such a database opens as it is, nothing re-run and nothing rewritten.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.model import DEFAULT_LABELS
from annotator.store.connection import Connection, sqlite_utils

FORMER_NAMES = {"0002_export": "0003_token_cache", "0003_teams": "0004_teams"}
"""Migration names older databases recorded → the names they have now."""

FIRST = "0001_initial"


class _Migrations(sqlite_utils.Migrations):
    """sqlite-utils' migrations, reading a former name in ``_sqlite_migrations`` as the current one."""

    def applied(self, db: sqlite_utils.Database) -> list[sqlite_utils.Migrations._AppliedMigration]:
        return [dataclasses.replace(m, name=FORMER_NAMES.get(m.name, m.name)) for m in super().applied(db)]


migrations = _Migrations("annotator")


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db.table("documents").create(
        {
            "id": int,
            "key": str,
            "text": str,
            "hash": str,
            "source": str,
            "meta": str,
            "created": float,
        },
        pk="id",
        not_null={"key", "text", "hash"},
    )
    db.table("documents").create_index(["key"], unique=True)
    db.table("documents").create_index(["hash"], unique=True)
    db.table("labels").create(
        {"name": str, "key": str, "colour": str, "position": int}, pk="name", not_null={"key"}
    )
    db.table("labels").insert_all(
        {"name": name, "key": key, "colour": colour, "position": i}
        for i, (name, key, colour) in enumerate(DEFAULT_LABELS)
    )
    db.table("layers").create({"name": str, "kind": str, "created": float}, pk="name", not_null={"kind"})
    db.execute(
        """
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            layer TEXT NOT NULL REFERENCES layers(name),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL REFERENCES labels(name) ON UPDATE CASCADE,
            kb_id TEXT,
            source TEXT NOT NULL DEFAULT 'manual',
            who TEXT,
            created REAL NOT NULL,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, layer, start, "end", label)
        )
        """
    )
    db.table("spans").create_index(["layer", "doc_id"])
    db.execute(
        """
        CREATE TABLE doc_status (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            layer TEXT NOT NULL REFERENCES layers(name),
            status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
            seconds REAL NOT NULL DEFAULT 0,
            updated REAL NOT NULL,
            PRIMARY KEY (doc_id, layer)
        )
        """
    )
    # The action log: undo/redo replays it backwards and forwards (undone: 0 live, 1 undone, 2 discarded
    # by a newer edit), and its timestamps say when each annotator worked.
    db.execute(
        """
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            ts REAL NOT NULL,
            who TEXT,
            layer TEXT NOT NULL,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            data TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.table("actions").create_index(["layer", "doc_id", "undone"])


@migrations(name="0002_kb")
def _kb(db: sqlite_utils.Database) -> None:
    """The knowledge base (entries with their aliases) and the pre-annotation proposals a user rejected."""
    db.execute(
        """
        CREATE TABLE kb_entries (
            id INTEGER PRIMARY KEY,
            kb_id TEXT NOT NULL,
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            description TEXT,
            source TEXT,
            prominence REAL NOT NULL DEFAULT 0,
            UNIQUE (kb_id, label)
        )
        """
    )
    # One row: a token that changes with every KB write, so a cached fuzzy index knows when it is stale.
    db.execute("CREATE TABLE kb_version (id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE suggestion_rejections (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            created REAL NOT NULL,
            PRIMARY KEY (doc_id, layer, start, "end", label)
        )
        """
    )


@migrations(name="0003_token_cache")
def _token_cache(db: sqlite_utils.Database) -> None:
    """Token offsets and sentence starts per document (see :mod:`annotator.store.tokens`)."""
    db.execute(
        """
        CREATE TABLE token_cache (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            version TEXT NOT NULL,
            hash TEXT NOT NULL,
            tokens BLOB NOT NULL,
            sentences BLOB NOT NULL
        )
        """
    )


@migrations(name="0004_teams")
def _teams(db: sqlite_utils.Database) -> None:
    """Who is assigned which document, written by ``annotator assign``."""
    db.execute(
        """
        CREATE TABLE assignments (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            user TEXT NOT NULL,
            PRIMARY KEY (doc_id, user)
        )
        """
    )
    db.table("assignments").create_index(["user"])


@migrations(name="0006_models")
def _models(db: sqlite_utils.Database) -> None:
    """Proposal models trained from the team's work (see :mod:`annotator.store.models`), and the keys
    each annotator pressed on each document (the effort figures of ``annotator stats``)."""
    db.execute(
        """
        CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            user TEXT NOT NULL,
            kind TEXT NOT NULL,
            data BLOB NOT NULL,
            digest TEXT NOT NULL,
            trained_from TEXT NOT NULL,
            documents INTEGER NOT NULL,
            tokens INTEGER NOT NULL,
            scores TEXT,
            baseline TEXT,
            created REAL NOT NULL,
            UNIQUE (user, digest)
        )
        """
    )
    db.table("models").create_index(["user", "created"])
    db.execute(
        """
        CREATE TABLE effort (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            layer TEXT NOT NULL,
            keys INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (doc_id, layer)
        )
        """
    )


@migrations(name="0007_export_files")
def _export_files(db: sqlite_utils.Database) -> None:
    """The files exports wrote, as they were when written, so that a later export replaces only a file
    this tool wrote and nobody changed since (see :mod:`annotator.export.files`)."""
    db.execute(
        """
        CREATE TABLE export_files (
            path TEXT PRIMARY KEY,
            device INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            written REAL NOT NULL
        )
        """
    )


@migrations(name="0008_effort_days")
def _effort_days(db: sqlite_utils.Database) -> None:
    """Seconds and keys per annotator layer and calendar day (local time), for the per-day figures of
    ``annotator stats --daily``; the days before this table are not known."""
    db.execute(
        """
        CREATE TABLE effort_days (
            layer TEXT NOT NULL,
            day TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0,
            keys INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (layer, day)
        )
        """
    )


@migrations(name="0009_model_seen")
def _model_seen(db: sqlite_utils.Database) -> None:
    """The texts each model was trained on, as digests (:func:`annotator.training.text_digest`), so that
    a new model is measured against it only on documents it has not seen; NULL for the models before."""
    db.execute("ALTER TABLE models ADD COLUMN seen TEXT")


def known_names() -> set[str]:
    return {m.name for m in migrations._migrations}


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """The migrations applied to the database of ``conn``, in order, by their current names. Raises
    ``sqlite3.DatabaseError`` when it has no migrations table (or is no SQLite database)."""
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", (migrations.name,)
    ).fetchall()
    return [FORMER_NAMES.get(name, name) for (name,) in rows]


def newer_names(applied: list[str]) -> list[str]:
    """The applied migrations this annotator does not know: the database comes from a newer one."""
    known = known_names()
    return [name for name in applied if name not in known]


def pending_names(db: sqlite_utils.Database) -> list[str]:
    return [m.name for m in migrations.pending(db)]


def check_opened(db: sqlite_utils.Database, tables: set[str], create: bool, path: Path) -> None:
    """Refuse a database that is not annotator's (another application's tables; empty while ``create``
    is false) or whose schema is newer than this annotator."""
    if not tables:
        if create:
            return
        raise AnnotatorError(
            "empty database, no annotator tables (use 'annotator import PATH' to fill it)", path
        )
    applied = [m.name for m in migrations.applied(db)] if "_sqlite_migrations" in tables else []
    if FIRST not in applied:
        raise AnnotatorError(
            "not an annotator database: it holds another application's tables; give another --db", path
        )
    newer = newer_names(applied)
    if newer:
        raise AnnotatorError(
            f"database schema is newer than this annotator (migration {newer[-1]}); "
            "upgrade annotator to open it",
            path,
        )


def migrate(connection: Connection) -> None:
    """Apply the pending migrations, in a write transaction taken first: another process may have
    migrated meanwhile, so they are asked for again once the lock is held."""
    if migrations.pending(connection.db):
        with connection.transaction():
            if migrations.pending(connection.db):
                migrations.apply(connection.db)
