"""The ``models`` table: proposal models trained from the team's work, kept in the database so that
everyone opening it shares them and ``backup`` and ``merge`` carry them.

Each row is one user's model (their layer and what else they may learn from, listed in
``trained_from``). A user's current model is their newest row; older rows stay, as history and so that
merging never loses one: merge copies every model the other database has and this one lacks (same user
and bytes: the same model), so both sides' models are kept and the newer becomes current.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from annotator.model import FinishedDocument, StoredModel
from annotator.store.connection import Tables

_COLUMNS = "user, kind, data, digest, trained_from, documents, tokens, scores, baseline, created, seen"


class Models(Tables):
    def save(self, model: StoredModel) -> int:
        """Add ``model`` (its ``created`` time as given, or now when 0); returns its row id. The same
        user's same bytes again is the row already there."""
        with self.transaction():
            return _insert(self.conn, _row(model, model.created or time.time()))

    def current(self, user: str) -> StoredModel | None:
        """``user``'s newest model, or None when they have none."""
        row = self.conn.execute(
            f"SELECT id, {_COLUMNS} FROM models WHERE user = ? ORDER BY created DESC, id DESC LIMIT 1",
            (user,),
        ).fetchone()
        return _model(row) if row else None

    def all(self) -> list[StoredModel]:
        """Every model, oldest first, without their bytes' meaning (``data`` included)."""
        rows = self.conn.execute(f"SELECT id, {_COLUMNS} FROM models ORDER BY created, id")
        return [_model(r) for r in rows]

    def training_documents(self, layers: Sequence[str]) -> list[FinishedDocument]:
        """The documents done in any of ``layers``, in id order, each with the spans of the first of
        ``layers`` that finished it (its only entry in ``FinishedDocument.layers``)."""
        wanted = json.dumps(list(layers))
        chosen: dict[int, str] = {}
        for doc_id, layer in self.conn.execute(
            "SELECT doc_id, layer FROM doc_status WHERE status = 'done'"
            " AND layer IN (SELECT value FROM json_each(?)) ORDER BY doc_id",
            (wanted,),
        ):
            if doc_id not in chosen or layers.index(layer) < layers.index(chosen[doc_id]):
                chosen[doc_id] = layer
        out: list[FinishedDocument] = []
        for doc_id in sorted(chosen):
            key, text = self.conn.execute(
                "SELECT key, text FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            spans = self.conn.execute(
                'SELECT start, "end", label FROM spans WHERE doc_id = ? AND layer = ? ORDER BY start, "end"',
                (doc_id, chosen[doc_id]),
            ).fetchall()
            out.append(FinishedDocument(doc_id, key, text, {chosen[doc_id]: [tuple(s) for s in spans]}))
        return out

    def copy_from(self, other: sqlite3.Connection) -> int:
        """Every model of ``other`` (another annotator database) that this one lacks, in the caller's
        write transaction; how many were added. A database from before models has none."""
        has_table = other.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'models'"
        ).fetchone()
        if not has_table:
            return 0
        theirs = {row[1] for row in other.execute("PRAGMA table_info(models)")}
        columns = ", ".join(c if c in theirs else f"NULL AS {c}" for c in _COLUMNS.split(", "))
        return sum(
            _insert(self.conn, tuple(row), count=True)
            for row in other.execute(f"SELECT {columns} FROM models")
        )


def _row(model: StoredModel, created: float) -> tuple[object, ...]:
    return (
        model.user,
        model.kind,
        model.data,
        model.digest,
        json.dumps(list(model.trained_from)),
        model.documents,
        model.tokens,
        json.dumps(model.scores) if model.scores is not None else None,
        json.dumps(model.baseline) if model.baseline is not None else None,
        created,
        json.dumps(sorted(model.seen)) if model.seen is not None else None,
    )


def _insert(conn: sqlite3.Connection, row: Iterable[object], count: bool = False) -> int:
    values = tuple(row)
    cursor = conn.execute(
        f"INSERT INTO models ({_COLUMNS}) VALUES ({', '.join('?' * len(values))})"
        " ON CONFLICT (user, digest) DO NOTHING",
        values,
    )
    if count:
        return cursor.rowcount
    if cursor.rowcount:
        return int(cursor.lastrowid or 0)
    found = conn.execute("SELECT id FROM models WHERE user = ? AND digest = ?", (values[0], values[3]))
    return int(found.fetchone()[0])


def _model(row: tuple[Any, ...]) -> StoredModel:
    id_, user, kind, data, digest, trained_from, documents, tokens, scores, baseline, created, seen = row
    return StoredModel(
        user=str(user),
        kind=str(kind),
        data=bytes(data),
        digest=str(digest),
        trained_from=tuple(json.loads(str(trained_from))),
        documents=int(documents),
        tokens=int(tokens),
        scores=json.loads(str(scores)) if scores is not None else None,
        baseline=json.loads(str(baseline)) if baseline is not None else None,
        created=float(created),
        id=int(id_),
        seen=frozenset(json.loads(str(seen))) if seen is not None else None,
    )
