"""The SQLite database: schema, migrations, every read and write, transactions.

One file holds a whole project, shared by several annotators on one server: WAL mode, a busy timeout and
one transaction per write, so a change is on disk the moment a call returns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from annotator.errors import AnnotatorError
from annotator.model import DEFAULT_LABELS, GOLD, STATUSES, Document, ImportRecord, KbEntry, Label, Span

migrations = sqlite_utils.Migrations("annotator")
BUSY_TIMEOUT_S = 5.0
_BATCH = 1000


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db["documents"].create(
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
    db["documents"].create_index(["key"], unique=True)
    db["documents"].create_index(["hash"], unique=True)
    db["labels"].create(
        {"name": str, "key": str, "colour": str, "position": int}, pk="name", not_null={"key"}
    )
    db["labels"].insert_all(
        {"name": name, "key": key, "colour": colour, "position": i}
        for i, (name, key, colour) in enumerate(DEFAULT_LABELS)
    )
    db["layers"].create({"name": str, "kind": str, "created": float}, pk="name", not_null={"kind"})
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
    db["spans"].create_index(["layer", "doc_id"])
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
    db["actions"].create_index(["layer", "doc_id", "undone"])


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


def content_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass
class ImportResult:
    documents_added: int = 0
    documents_present: int = 0
    spans_added: int = 0
    renamed_keys: int = 0


class Store:
    """An open annotator database. Every method that writes commits before it returns."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise AnnotatorError("is a folder, not a database file", self.path)
        self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            self.conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as err:
            self.conn.close()
            raise AnnotatorError(f"not an annotator database ({err})", self.path) from None
        self.db = sqlite_utils.Database(self.conn, execute_plugins=False)
        self._check_version()
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        if migrations.pending(self.db):
            migrations.apply(self.db)

    def _check_version(self) -> None:
        known = {m.name for m in migrations._migrations}
        newer = [m.name for m in migrations.applied(self.db) if m.name not in known]
        if newer:
            raise AnnotatorError(
                f"database schema is newer than this annotator (migration {newer[-1]}); "
                "upgrade annotator to open it",
                self.path,
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    # --- documents -------------------------------------------------------------------------------

    def document_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def document(self, doc_id: int) -> Document:
        row = self.conn.execute(
            "SELECT id, key, text, source, meta FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise AnnotatorError(f"no document with id {doc_id}", self.path)
        return Document(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))

    def document_id(self, key: str) -> int:
        row = self.conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise AnnotatorError(f"no document with key {key!r}", self.path)
        return int(row[0])

    def import_records(
        self,
        records: Iterable[ImportRecord],
        default_layer: str,
        who: str | None = None,
        layer_override: str | None = None,
    ) -> ImportResult:
        """Add documents (and their spans) in one transaction: all of them, or on any error none."""
        result = ImportResult()
        labels = {label.name for label in self.labels()}
        with self.transaction():
            batch: list[ImportRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= _BATCH:
                    self._import_batch(batch, labels, default_layer, layer_override, who, result)
                    batch = []
            self._import_batch(batch, labels, default_layer, layer_override, who, result)
        return result

    def _import_batch(
        self,
        batch: list[ImportRecord],
        labels: set[str],
        default_layer: str,
        layer_override: str | None,
        who: str | None,
        result: ImportResult,
    ) -> None:
        if not batch:
            return
        now = time.time()
        hashes = [content_hash(r.text) for r in batch]
        present = self._existing("hash", hashes)
        keys = [r.key or h[:16] for r, h in zip(batch, hashes, strict=True)]
        taken = set(self._existing("key", keys))
        rows = []
        for record, digest, key in zip(batch, hashes, keys, strict=True):
            if digest in present:
                result.documents_present += 1
                continue
            if key in taken:
                key = f"{key}-{digest[:8]}"
                result.renamed_keys += 1
            taken.add(key)
            present[digest] = -1
            meta = json.dumps(record.meta, ensure_ascii=False) if record.meta else None
            rows.append((key, record.text, digest, record.source, meta, now))
        self.conn.executemany(
            "INSERT INTO documents (key, text, hash, source, meta, created) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        result.documents_added += len(rows)
        with_spans = [(r, h) for r, h in zip(batch, hashes, strict=True) if r.spans is not None]
        if not with_spans:
            return
        ids = self._existing("hash", [h for _, h in with_spans])
        for record, digest in with_spans:
            layer = layer_override or record.layer or default_layer
            self.ensure_layer(layer)
            assert record.spans is not None
            for span in record.spans:
                if span.label not in labels:
                    raise AnnotatorError(
                        f"unknown label {span.label!r} (known: {', '.join(sorted(labels))})",
                        record.source,
                        record.line,
                    )
            cur = self.conn.executemany(
                'INSERT OR IGNORE INTO spans (doc_id, layer, start, "end", label, kb_id, source, who,'
                " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (ids[digest], layer, s.start, s.end, s.label, s.kb_id, "import", who, now)
                    for s in record.spans
                ],
            )
            result.spans_added += max(cur.rowcount, 0)
            self._set_status(ids[digest], layer, "done", now)

    def _existing(self, column: str, values: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.conn.execute(
                    f"SELECT {column}, id FROM documents WHERE {column} IN ({marks})", chunk
                ).fetchall()
            )
        return found

    # --- labels and layers -----------------------------------------------------------------------

    def labels(self) -> list[Label]:
        return [
            Label(*row) for row in self.conn.execute("SELECT name, key, colour FROM labels ORDER BY position")
        ]

    def ensure_layer(self, name: str, kind: str | None = None) -> None:
        kind = kind or ("gold" if name == GOLD else "annotator")
        self.conn.execute(
            "INSERT OR IGNORE INTO layers (name, kind, created) VALUES (?, ?, ?)",
            (name, kind, time.time()),
        )

    def layers(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM layers ORDER BY name")]

    # --- spans and the action log ----------------------------------------------------------------

    def spans(self, doc_id: int, layer: str) -> list[Span]:
        return [
            Span(*row)
            for row in self.conn.execute(
                'SELECT start, "end", label, kb_id, source, id FROM spans'
                ' WHERE doc_id = ? AND layer = ? ORDER BY start, "end" DESC, label',
                (doc_id, layer),
            )
        ]

    def add_span(
        self,
        doc_id: int,
        layer: str,
        span: Span,
        who: str | None = None,
        replace: Iterable[Span] = (),
    ) -> Span:
        """Add ``span``, first removing ``replace`` (the spans it relabels, say), as one undo step."""
        now = time.time()
        with self.transaction():
            self.ensure_layer(layer)
            removed = [self._delete_span(doc_id, layer, s) for s in replace]
            self._insert_span(doc_id, layer, span, who, now)
            self._log(doc_id, layer, who, "edit", {"removed": removed, "added": [_span_dict(span)]}, now)
            self._touch_status(doc_id, layer, now)
        return span

    def remove_spans(self, doc_id: int, layer: str, spans: Iterable[Span], who: str | None = None) -> None:
        now = time.time()
        with self.transaction():
            removed = [self._delete_span(doc_id, layer, s) for s in spans]
            if removed:
                self._log(doc_id, layer, who, "edit", {"removed": removed, "added": []}, now)
                self._touch_status(doc_id, layer, now)

    def undo(self, doc_id: int, layer: str) -> bool:
        """Undo the layer's latest live edit on this document; False when there is none."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT id, data FROM actions WHERE doc_id = ? AND layer = ? AND undone = 0"
                " ORDER BY id DESC LIMIT 1",
                (doc_id, layer),
            ).fetchone()
            if row is None:
                return False
            data = json.loads(row[1])
            self._replay(doc_id, layer, remove=data["added"], add=data["removed"])
            self.conn.execute("UPDATE actions SET undone = 1 WHERE id = ?", (row[0],))
        return True

    def redo(self, doc_id: int, layer: str) -> bool:
        """Redo the edit undone last; False when there is none."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT id, data FROM actions WHERE doc_id = ? AND layer = ? AND undone = 1"
                " ORDER BY id LIMIT 1",
                (doc_id, layer),
            ).fetchone()
            if row is None:
                return False
            data = json.loads(row[1])
            self._replay(doc_id, layer, remove=data["removed"], add=data["added"])
            self.conn.execute("UPDATE actions SET undone = 0 WHERE id = ?", (row[0],))
        return True

    def _replay(
        self, doc_id: int, layer: str, remove: list[dict[str, Any]], add: list[dict[str, Any]]
    ) -> None:
        now = time.time()
        for item in remove:
            self._delete_span(doc_id, layer, _span_from(item))
        for item in add:
            self._insert_span(doc_id, layer, _span_from(item), item.get("who"), now)

    def _insert_span(self, doc_id: int, layer: str, span: Span, who: str | None, now: float) -> None:
        self.conn.execute(
            'INSERT OR IGNORE INTO spans (doc_id, layer, start, "end", label, kb_id, source, who, created)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, layer, span.start, span.end, span.label, span.kb_id, span.source, who, now),
        )

    def _delete_span(self, doc_id: int, layer: str, span: Span) -> dict[str, Any]:
        found = self.conn.execute(
            'DELETE FROM spans WHERE doc_id = ? AND layer = ? AND start = ? AND "end" = ? AND label = ?'
            " RETURNING kb_id, source, who",
            (doc_id, layer, span.start, span.end, span.label),
        ).fetchall()
        row = found[0] if found else None
        if row is None:
            raise AnnotatorError(f"no span {span.start}-{span.end} {span.label} in layer {layer!r}")
        return {**_span_dict(span), "kb_id": row[0], "source": row[1], "who": row[2]}

    def _log(
        self, doc_id: int, layer: str, who: str | None, kind: str, data: dict[str, Any], now: float
    ) -> None:
        self.conn.execute(
            "UPDATE actions SET undone = 2 WHERE doc_id = ? AND layer = ? AND undone = 1", (doc_id, layer)
        )
        self.conn.execute(
            "INSERT INTO actions (ts, who, layer, doc_id, kind, data) VALUES (?, ?, ?, ?, ?, ?)",
            (now, who, layer, doc_id, kind, json.dumps(data)),
        )

    # --- progress --------------------------------------------------------------------------------

    def status(self, doc_id: int, layer: str) -> str:
        row = self.conn.execute(
            "SELECT status FROM doc_status WHERE doc_id = ? AND layer = ?", (doc_id, layer)
        ).fetchone()
        return str(row[0]) if row else "todo"

    def set_status(self, doc_id: int, layer: str, status: str) -> None:
        if status not in STATUSES:
            raise AnnotatorError(f"unknown status {status!r}")
        with self.transaction():
            self.ensure_layer(layer)
            self._set_status(doc_id, layer, status, time.time())

    def add_time(self, doc_id: int, layer: str, seconds: float) -> None:
        with self.transaction():
            self.ensure_layer(layer)
            self._touch_status(doc_id, layer, time.time())
            self.conn.execute(
                "UPDATE doc_status SET seconds = seconds + ? WHERE doc_id = ? AND layer = ?",
                (seconds, doc_id, layer),
            )

    def _set_status(self, doc_id: int, layer: str, status: str, now: float) -> None:
        self.conn.execute(
            "INSERT INTO doc_status (doc_id, layer, status, updated) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (doc_id, layer) DO UPDATE SET status = excluded.status, updated = excluded.updated",
            (doc_id, layer, status, now),
        )

    def _touch_status(self, doc_id: int, layer: str, now: float) -> None:
        """A document an annotator has worked on is in progress, unless it is already done."""
        self.conn.execute(
            "INSERT INTO doc_status (doc_id, layer, status, updated) VALUES (?, ?, 'in_progress', ?)"
            " ON CONFLICT (doc_id, layer) DO UPDATE SET updated = excluded.updated,"
            " status = CASE status WHEN 'todo' THEN 'in_progress' ELSE status END",
            (doc_id, layer, now),
        )

    def stats(self) -> dict[str, Any]:
        documents = self.document_count()
        labels = [label.name for label in self.labels()]
        layers: dict[str, dict[str, Any]] = {}
        for name in self.layers():
            layers[name] = {
                "spans": 0,
                "labels": dict.fromkeys(labels, 0),
                "documents_done": 0,
                "documents_in_progress": 0,
                "seconds": 0.0,
            }
        for layer, label, count in self.conn.execute(
            "SELECT layer, label, count(*) FROM spans GROUP BY layer, label"
        ):
            layers[layer]["labels"][label] = count
            layers[layer]["spans"] += count
        for layer, status, count, seconds in self.conn.execute(
            "SELECT layer, status, count(*), sum(seconds) FROM doc_status GROUP BY layer, status"
        ):
            if status != "todo":
                layers[layer][f"documents_{status}"] = count
            layers[layer]["seconds"] += seconds or 0.0
        for entry in layers.values():
            entry["progress"] = entry["documents_done"] / documents if documents else 0.0
        per_label = dict.fromkeys(labels, 0)
        for entry in layers.values():
            for label, count in entry["labels"].items():
                per_label[label] = per_label.get(label, 0) + count
        return {
            "documents": documents,
            "characters": int(
                self.conn.execute("SELECT coalesce(sum(length(text)), 0) FROM documents").fetchone()[0]
            ),
            "spans": sum(per_label.values()),
            "labels": per_label,
            "layers": layers,
        }

    # --- knowledge base and suggestions (issue 4) ------------------------------------------------

    def kb_add(self, entries: Iterable[KbEntry], path: str | Path | None = None) -> int:
        """Add entries in one transaction, all or none; an entry with the kb_id and label of one already
        stored replaces it. Without a kb_id an entry is identified by ``LABEL:name``. Returns the count."""
        labels = {label.name for label in self.labels()}
        count = 0
        with self.transaction():
            rows = []
            for entry in entries:
                if entry.label not in labels:
                    known = ", ".join(sorted(labels))
                    raise AnnotatorError(f"unknown label {entry.label!r} (known: {known})", path, entry.line)
                rows.append(
                    (
                        entry.kb_id or f"{entry.label}:{entry.name}",
                        entry.name,
                        entry.label,
                        json.dumps(list(entry.aliases), ensure_ascii=False),
                        entry.description,
                        entry.source,
                        entry.prominence,
                    )
                )
                if len(rows) >= 5000:
                    count += self._kb_insert(rows)
                    rows = []
            count += self._kb_insert(rows)
            self.conn.execute(
                "INSERT INTO kb_version (id, version) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                (uuid.uuid4().hex,),
            )
        return count

    def _kb_insert(self, rows: list[tuple[Any, ...]]) -> int:
        self.conn.executemany(
            "INSERT INTO kb_entries (kb_id, name, label, aliases, description, source, prominence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kb_id, label) DO UPDATE SET name = excluded.name,"
            " aliases = excluded.aliases, description = excluded.description, source = excluded.source,"
            " prominence = excluded.prominence",
            rows,
        )
        return len(rows)

    def kb_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM kb_entries").fetchone()[0])

    def kb_version(self) -> str | None:
        """Changes with every KB write; None while the KB has never been written."""
        row = self.conn.execute("SELECT version FROM kb_version WHERE id = 1").fetchone()
        return None if row is None else str(row[0])

    def kb_rows(self) -> Iterator[tuple[str, str, str, list[str], str | None, float]]:
        """Every entry as ``(kb_id, name, label, aliases, description, prominence)``, in insertion order."""
        for kb_id, name, label, aliases, description, prominence in self.conn.execute(
            "SELECT kb_id, name, label, aliases, description, prominence FROM kb_entries ORDER BY id"
        ):
            yield kb_id, name, label, json.loads(aliases), description, prominence

    def learned_mentions(self) -> list[tuple[str, str, str | None, int]]:
        """What saved spans teach: ``(text, label, kb_id, count)`` over every layer and document."""
        return [
            (text, label, kb_id, count)
            for text, label, kb_id, count in self.conn.execute(
                'SELECT substr(d.text, s.start + 1, s."end" - s.start) AS t, s.label, s.kb_id, count(*)'
                " FROM spans s JOIN documents d ON d.id = s.doc_id GROUP BY t, s.label, s.kb_id"
            )
        ]

    def reject_suggestion(self, doc_id: int, layer: str, start: int, end: int, label: str) -> None:
        """Remember that ``layer``'s annotator rejected this proposal, so it is not proposed again."""
        with self.transaction():
            self.conn.execute(
                'INSERT OR IGNORE INTO suggestion_rejections (doc_id, layer, start, "end", label, created)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                (doc_id, layer, start, end, label, time.time()),
            )

    def rejected_suggestions(self, doc_id: int, layer: str) -> set[tuple[int, int, str]]:
        return {
            (start, end, label)
            for start, end, label in self.conn.execute(
                'SELECT start, "end", label FROM suggestion_rejections WHERE doc_id = ? AND layer = ?',
                (doc_id, layer),
            )
        }

    def accept_suggestions(
        self, doc_id: int, layer: str, spans: Iterable[Span], who: str | None = None
    ) -> list[Span]:
        """Save accepted proposals as spans (source ``suggestion``), all of them as one undo step."""
        accepted = [dataclasses.replace(span, source="suggestion", id=None) for span in spans]
        if not accepted:
            return []
        now = time.time()
        with self.transaction():
            self.ensure_layer(layer)
            for span in accepted:
                self._insert_span(doc_id, layer, span, who, now)
            self._log(
                doc_id, layer, who, "edit", {"removed": [], "added": [_span_dict(s) for s in accepted]}, now
            )
            self._touch_status(doc_id, layer, now)
        return accepted


def _span_dict(span: Span) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "kb_id": span.kb_id,
        "source": span.source,
    }


def _span_from(item: dict[str, Any]) -> Span:
    return Span(item["start"], item["end"], item["label"], item.get("kb_id"), item.get("source", "manual"))
