"""Documents: their texts as imported, looked up by id or key, and import into the store.

An import is staged, then swapped in. Reading, checking, hashing and placing the records (the work that
takes seconds for a big corpus) writes only to temporary tables of this connection, which take no lock
on the database; then one short write transaction copies them in with a few set-wise statements. So an
import is still all of its files or nothing (a failed or killed one leaves only the temporary tables,
which SQLite removes with the connection), and other writers wait for the swap only, not for the
reading. What another writer added meanwhile (the same text, a key taken) is looked at again in the
swap.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.errors import AnnotatorError
from annotator.model import Document, ImportRecord, ImportResult, check_label
from annotator.store.connection import BATCH, Connection, Tables, staging
from annotator.store.labels import Labels, Layers
from annotator.store.progress import Progress


def content_hash(text: str) -> str:
    """What identifies a document: the same text is the same document, whatever its key."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass
class Placement:
    """Where a batch of incoming documents goes: see :meth:`Documents.place`."""

    present: dict[str, int]
    """Content hash → id of the documents already stored."""
    keys: list[str | None]
    """Per incoming document, the key to add it under; None where its text is stored already (or came
    earlier in the batch)."""
    renamed: int
    """How many keys were changed because another document has them."""


class Documents(Tables):
    """The ``documents`` table: key, text, content hash, source file and metadata of every document."""

    def __init__(self, connection: Connection, labels: Labels, layers: Layers, progress: Progress) -> None:
        super().__init__(connection)
        self._labels = labels
        self._layers = layers
        self._progress = progress

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def get(self, doc_id: int) -> Document:
        row = self.conn.execute(
            "SELECT id, key, text, source, meta FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise AnnotatorError(f"no document with id {doc_id}", self.path)
        return Document(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))

    def id_of(self, key: str) -> int:
        row = self.conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise AnnotatorError(f"no document with key {key!r}", self.path)
        return int(row[0])

    def key_of(self, doc_id: int) -> str:
        return str(self.conn.execute("SELECT key FROM documents WHERE id = ?", (doc_id,)).fetchone()[0])

    def keys(self) -> dict[int, str]:
        """Every document's key, by id (one query: a list of 100,000 documents opens at once)."""
        return {int(doc_id): str(key) for doc_id, key in self.conn.execute("SELECT id, key FROM documents")}

    def hashes(self) -> dict[int, str]:
        """Document id → content hash, for every document."""
        return dict(self.conn.execute("SELECT id, hash FROM documents"))

    def place(self, incoming: Sequence[tuple[str, str]], staged: str | None = None) -> Placement:
        """Deduplicate ``(key, content hash)`` pairs about to be added, in order: a text already stored
        (or earlier in the batch, or in the temporary table ``staged``) is not added again; a key another
        document has (or an earlier one took) becomes ``KEY-HASH8``."""
        hashes = [digest for _, digest in incoming]
        names = [key for key, _ in incoming]
        present = self._ids_by("hash", hashes)
        taken = set(self._ids_by("key", names))
        seen = set(present)
        if staged is not None:
            seen.update(self._ids_by("hash", hashes, staged))
            taken.update(self._ids_by("key", names, staged))
        keys: list[str | None] = []
        renamed = 0
        for key, digest in incoming:
            if digest in seen:
                keys.append(None)
                continue
            if key in taken:
                key = f"{key}-{digest[:8]}"
                renamed += 1
            taken.add(key)
            seen.add(digest)
            keys.append(key)
        return Placement(present, keys, renamed)

    def _ids_by(self, column: str, values: list[str], table: str = "main.documents") -> dict[str, int]:
        """``column`` value → id, of the documents whose ``column`` (hash or key) is among ``values``."""
        found: dict[str, int] = {}
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.conn.execute(
                    f"SELECT {column}, rowid FROM {table} WHERE {column} IN ({marks})", chunk
                ).fetchall()
            )
        return found

    def import_records(
        self,
        records: Iterable[ImportRecord],
        default_layer: str,
        who: str | None = None,
        layer_override: str | None = None,
    ) -> ImportResult:
        """Add documents (and their spans): all of them, or on any error none (see the module's docstring:
        staged, then swapped in in one short transaction).

        A record's spans go to ``layer_override``, else the record's own layer, else ``default_layer``,
        and that layer has the document done. A text already stored is not added again.
        """
        result = ImportResult()
        labels = self._labels.names()
        with staging(self.conn, STAGED_TABLES) as commit_staged:
            batch: list[ImportRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= BATCH:
                    self._stage_batch(batch, labels, default_layer, layer_override, who, result)
                    commit_staged()
                    batch = []
            self._stage_batch(batch, labels, default_layer, layer_override, who, result)
            commit_staged()
            with self.transaction():
                self._swap_in(result)
        return result

    def _stage_batch(
        self,
        batch: list[ImportRecord],
        labels: set[str],
        default_layer: str,
        layer_override: str | None,
        who: str | None,
        result: ImportResult,
    ) -> None:
        """Check and place ``batch`` into the temporary tables (no lock on the database)."""
        if not batch:
            return
        now = time.time()
        hashes = [content_hash(r.text) for r in batch]
        placement = self.place([(r.key or h[:16], h) for r, h in zip(batch, hashes, strict=True)], STAGED)
        rows = []
        for record, digest, key in zip(batch, hashes, placement.keys, strict=True):
            if key is None:
                result.documents_present += 1
                continue
            meta = json.dumps(record.meta, ensure_ascii=False) if record.meta else None
            rows.append((key, record.text, digest, record.source, meta, now))
        result.renamed_keys += placement.renamed
        self.conn.executemany(
            f"INSERT INTO {STAGED} (key, text, hash, source, meta, created) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        for record, digest in zip(batch, hashes, strict=True):
            if record.spans is None:
                continue
            layer = layer_override or record.layer or default_layer
            for span in record.spans:
                check_label(span.label, labels, record.source, record.line)
            self.conn.executemany(
                f'INSERT INTO {STAGED_SPANS} (hash, layer, start, "end", label, kb_id, who, created)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(digest, layer, s.start, s.end, s.label, s.kb_id, who, now) for s in record.spans],
            )
            self.conn.execute(
                f"INSERT INTO {STAGED_DONE} (hash, layer, updated) VALUES (?, ?, ?)", (digest, layer, now)
            )

    def _swap_in(self, result: ImportResult) -> None:
        """Copy the staged documents, spans and statuses in (in the caller's write transaction), after
        placing again what another writer added since they were staged."""
        clashes = self.conn.execute(
            f"SELECT s.rowid, s.key, s.hash, d.hash IS NOT NULL FROM {STAGED} s"
            " LEFT JOIN main.documents d ON d.hash = s.hash"
            " WHERE d.hash IS NOT NULL OR s.key IN (SELECT key FROM main.documents)"
        ).fetchall()
        for rowid, key, digest, present in clashes:
            if present:  # the same text came in meanwhile: its spans go to that document
                self.conn.execute(f"DELETE FROM {STAGED} WHERE rowid = ?", (rowid,))
                result.documents_present += 1
            else:
                self.conn.execute(
                    f"UPDATE {STAGED} SET key = ? WHERE rowid = ?", (f"{key}-{digest[:8]}", rowid)
                )
                result.renamed_keys += 1
        result.documents_added += self.conn.execute(
            "INSERT INTO main.documents (key, text, hash, source, meta, created)"
            f" SELECT key, text, hash, source, meta, created FROM {STAGED} ORDER BY rowid"
        ).rowcount
        for (layer,) in self.conn.execute(f"SELECT DISTINCT layer FROM {STAGED_DONE}").fetchall():
            self._layers.ensure(layer)
        spans = self.conn.execute(
            "INSERT OR IGNORE INTO main.spans"
            ' (doc_id, layer, start, "end", label, kb_id, source, who, created)'
            " SELECT d.id, s.layer, s.start, s.\"end\", s.label, s.kb_id, 'import', s.who, s.created"
            f" FROM {STAGED_SPANS} s JOIN main.documents d ON d.hash = s.hash ORDER BY s.rowid"
        )
        result.spans_added += max(spans.rowcount, 0)
        self.conn.execute(
            "INSERT INTO main.doc_status (doc_id, layer, status, updated)"
            f" SELECT d.id, s.layer, 'done', s.updated FROM {STAGED_DONE} s"
            " JOIN main.documents d ON d.hash = s.hash WHERE true ORDER BY s.rowid"
            " ON CONFLICT (doc_id, layer) DO UPDATE SET status = excluded.status, updated = excluded.updated"
        )


STAGED = "temp.import_documents"
STAGED_SPANS = "temp.import_spans"
STAGED_DONE = "temp.import_done"
STAGED_TABLES = (
    "CREATE TEMP TABLE import_documents (key TEXT NOT NULL, text TEXT NOT NULL, hash TEXT NOT NULL,"
    " source TEXT, meta TEXT, created REAL)",
    "CREATE INDEX temp.import_documents_hash ON import_documents (hash)",
    "CREATE INDEX temp.import_documents_key ON import_documents (key)",
    'CREATE TEMP TABLE import_spans (hash TEXT NOT NULL, layer TEXT NOT NULL, start INTEGER, "end" INTEGER,'
    " label TEXT, kb_id TEXT, who TEXT, created REAL)",
    "CREATE TEMP TABLE import_done (hash TEXT NOT NULL, layer TEXT NOT NULL, updated REAL)",
)
