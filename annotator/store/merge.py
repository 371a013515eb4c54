"""Merging: documents, labels, layers, spans, statuses and action logs brought in from other annotator
databases (made on other machines), nothing duplicated and no span of either side discarded."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.model import MergeConflict, MergeResult
from annotator.store.connection import BATCH, Connection, Tables, connect_read_only
from annotator.store.documents import Documents
from annotator.store.schema import FIRST, applied_names, newer_names


class Merge(Tables):
    """Writes every table but the KB's and the token cache, from another database's rows."""

    def __init__(self, connection: Connection, documents: Documents) -> None:
        super().__init__(connection)
        self._documents = documents

    def from_databases(self, paths: Iterable[Path], prefer: str | None = None) -> MergeResult:
        """Bring in documents (by content hash), labels, layers, spans, statuses and action logs from
        other annotator databases, all in one transaction; nothing is duplicated and merging again changes
        nothing.

        Per document and layer: absent here → copied; the same spans (start, end, label, kb_id) → only the
        status is taken when theirs changed later; different spans → a conflict, resolved wholesale for
        that document and layer by ``prefer`` ("mine" or "theirs") or else by the later edit (latest
        action or status change; a tie keeps mine). The winner's spans, status and action log (so undo
        still works) replace the loser's.
        """
        if prefer not in (None, "mine", "theirs"):
            raise AnnotatorError(f"--prefer must be mine or theirs, not {prefer!r}")
        others = [(Path(p), _open_other(Path(p), self.path)) for p in paths]
        result = MergeResult()
        try:
            with self.transaction():
                for path, other in others:
                    self._merge_one(path, other, prefer, result)
        finally:
            for _, other in others:
                other.close()
        return result

    def _merge_one(
        self, path: Path, other: sqlite3.Connection, prefer: str | None, result: MergeResult
    ) -> None:
        now = time.time()
        position = self.conn.execute("SELECT coalesce(max(position), -1) FROM labels").fetchone()[0]
        for name, key, colour in other.execute("SELECT name, key, colour FROM labels ORDER BY position"):
            position += 1
            result.labels_added += self.conn.execute(
                "INSERT OR IGNORE INTO labels (name, key, colour, position) VALUES (?, ?, ?, ?)",
                (name, key, colour, position),
            ).rowcount
        for name, kind, created in other.execute("SELECT name, kind, created FROM layers"):
            result.layers_added += self.conn.execute(
                "INSERT OR IGNORE INTO layers (name, kind, created) VALUES (?, ?, ?)", (name, kind, created)
            ).rowcount
        ids: dict[int, int] = {}  # their document id -> ours
        rows = other.execute("SELECT id, key, text, hash, source, meta, created FROM documents ORDER BY id")
        while batch := rows.fetchmany(BATCH):
            placement = self._documents.place([(r[1], r[3]) for r in batch])
            present = placement.present
            result.renamed_keys += placement.renamed
            for (their_id, _, text, digest, source, meta, created), key in zip(
                batch, placement.keys, strict=True
            ):
                if key is not None:
                    present[digest] = int(
                        self.conn.execute(
                            "INSERT INTO documents (key, text, hash, source, meta, created)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            (key, text, digest, source, meta, created or now),
                        ).lastrowid
                        or 0
                    )
                    result.documents_added += 1
                ids[their_id] = present[digest]
        theirs = _LayerStates.read(other, lambda doc_id: ids[doc_id])
        mine = _LayerStates.read(self.conn, None, set(ids.values()))
        mine_present = mine.keys()
        copy: list[tuple[int, str]] = []
        for item in sorted(theirs.keys()):
            doc_id, layer = item
            if item not in mine_present:
                copy.append(item)
                result.layer_documents_copied += 1
                result.spans_added += len(theirs.spans.get(item, ()))
                continue
            their_spans = theirs.span_keys(item)
            my_spans = mine.span_keys(item)
            if their_spans == my_spans:
                status = theirs.status.get(item)
                if status is not None and status[2] > mine.status.get(item, ("", 0.0, -1.0))[2]:
                    self.conn.execute(
                        "INSERT INTO doc_status (doc_id, layer, status, seconds, updated)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id, layer) DO UPDATE SET"
                        " status = excluded.status, seconds = excluded.seconds, updated = excluded.updated",
                        (doc_id, layer, *status),
                    )
                    result.statuses_updated += 1
                continue
            their_time, my_time = theirs.last_edit(item), mine.last_edit(item)
            kept = prefer or ("theirs" if their_time > my_time else "mine")
            result.conflicts.append(
                MergeConflict(
                    path,
                    self._documents.key_of(doc_id),
                    layer,
                    kept,
                    my_time,
                    their_time,
                    len(my_spans),
                    len(their_spans),
                )
            )
            if kept == "theirs":
                for table in ("spans", "actions", "doc_status"):
                    self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ? AND layer = ?", (doc_id, layer))
                copy.append(item)
                result.spans_added += len(their_spans)
        self._copy_layer_states(theirs, copy)

    def _copy_layer_states(self, states: _LayerStates, items: list[tuple[int, str]]) -> None:
        """Insert the spans, statuses and action logs of ``items`` (none of them here yet)."""
        self.conn.executemany(
            'INSERT INTO spans (doc_id, layer, start, "end", label, kb_id, source, who, created)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (doc_id, layer, *row)
                for doc_id, layer in items
                for row in states.spans.get((doc_id, layer), ())
            ],
        )
        self.conn.executemany(
            "INSERT INTO doc_status (doc_id, layer, status, seconds, updated) VALUES (?, ?, ?, ?, ?)",
            [(*item, *states.status[item]) for item in items if item in states.status],
        )
        self.conn.executemany(
            "INSERT INTO actions (ts, who, layer, doc_id, kind, data, undone) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (ts, who, layer, doc_id, kind, data, undone)
                for doc_id, layer in items
                for ts, who, kind, data, undone in states.actions.get((doc_id, layer), ())
            ],
        )


def _open_other(path: Path, own: Path) -> sqlite3.Connection:
    """A read-only connection to the database at ``path``; an error unless it is another annotator
    database whose schema this annotator knows."""
    if not path.is_file():
        raise AnnotatorError("no such database file", path)
    if own.exists() and path.resolve() == own.resolve():
        raise AnnotatorError("is the database being merged into", path)
    conn = connect_read_only(path)
    try:
        applied = applied_names(conn)
    except sqlite3.DatabaseError:
        conn.close()
        raise AnnotatorError("not an annotator database", path) from None
    newer = newer_names(applied)
    if FIRST not in applied or newer:
        conn.close()
        problem = "newer than this annotator" if newer else "not an annotator database"
        raise AnnotatorError(f"cannot merge: schema {problem}", path)
    return conn


SpanRow = tuple[int, int, str, str | None, str, str | None, float]
"""A span as merge copies it: start, end, label, kb_id, source, who, created."""


@dataclass
class _LayerStates:
    """Spans, statuses and action logs of one database per (document, layer), for merging."""

    spans: dict[tuple[int, str], list[SpanRow]]
    status: dict[tuple[int, str], tuple[str, float, float]]  # status, seconds, updated
    actions: dict[tuple[int, str], list[tuple[float, str | None, str, str, int]]]
    edited: dict[tuple[int, str], float]

    @classmethod
    def read(
        cls,
        conn: sqlite3.Connection,
        map_doc: Callable[[int], int] | None,
        only: set[int] | None = None,
    ) -> _LayerStates:
        """Read everything; ``map_doc`` turns the database's document ids into ours, ``only`` keeps those."""
        states = cls({}, {}, {}, {})

        def key(doc_id: int, layer: str) -> tuple[int, str] | None:
            if map_doc is not None:
                doc_id = map_doc(doc_id)
            return None if only is not None and doc_id not in only else (doc_id, layer)

        for doc_id, layer, *row in conn.execute(
            'SELECT doc_id, layer, start, "end", label, kb_id, source, who, created FROM spans'
        ):
            if (item := key(doc_id, layer)) is not None:
                states.spans.setdefault(item, []).append(tuple(row))
        for doc_id, layer, status, seconds, updated in conn.execute(
            "SELECT doc_id, layer, status, seconds, updated FROM doc_status"
        ):
            if (item := key(doc_id, layer)) is not None:
                states.status[item] = (status, seconds, updated)
                states.edited[item] = max(states.edited.get(item, 0.0), updated)
        for doc_id, layer, ts, who, kind, data, undone in conn.execute(
            "SELECT doc_id, layer, ts, who, kind, data, undone FROM actions ORDER BY id"
        ):
            if (item := key(doc_id, layer)) is not None:
                states.actions.setdefault(item, []).append((ts, who, kind, data, undone))
                states.edited[item] = max(states.edited.get(item, 0.0), ts)
        return states

    def keys(self) -> set[tuple[int, str]]:
        return self.spans.keys() | self.status.keys() | self.actions.keys()

    def span_keys(self, item: tuple[int, str]) -> set[tuple[int, int, str, str | None]]:
        return {row[:4] for row in self.spans.get(item, ())}

    def last_edit(self, item: tuple[int, str]) -> float:
        return self.edited.get(item, 0.0)
