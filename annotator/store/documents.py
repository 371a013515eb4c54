"""Documents: their texts as imported, looked up by id or key, and import into the store."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.errors import AnnotatorError
from annotator.model import Document, ImportRecord, ImportResult, check_label
from annotator.store.connection import BATCH, Connection, Tables
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

    def place(self, incoming: Sequence[tuple[str, str]]) -> Placement:
        """Deduplicate ``(key, content hash)`` pairs about to be added, in order: a text already stored
        (or earlier in the batch) is not added again; a key another document has (or an earlier one
        took) becomes ``KEY-HASH8``."""
        present = self._ids_by("hash", [digest for _, digest in incoming])
        taken = set(self._ids_by("key", [key for key, _ in incoming]))
        seen = set(present)
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

    def _ids_by(self, column: str, values: list[str]) -> dict[str, int]:
        """``column`` value → id, of the documents whose ``column`` (hash or key) is among ``values``."""
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

    def import_records(
        self,
        records: Iterable[ImportRecord],
        default_layer: str,
        who: str | None = None,
        layer_override: str | None = None,
    ) -> ImportResult:
        """Add documents (and their spans) in one transaction: all of them, or on any error none.

        A record's spans go to ``layer_override``, else the record's own layer, else ``default_layer``,
        and that layer has the document done. A text already stored is not added again.
        """
        result = ImportResult()
        labels = self._labels.names()
        with self.transaction():
            batch: list[ImportRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= BATCH:
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
        placement = self.place([(r.key or h[:16], h) for r, h in zip(batch, hashes, strict=True)])
        rows = []
        for record, digest, key in zip(batch, hashes, placement.keys, strict=True):
            if key is None:
                result.documents_present += 1
                continue
            meta = json.dumps(record.meta, ensure_ascii=False) if record.meta else None
            rows.append((key, record.text, digest, record.source, meta, now))
        result.renamed_keys += placement.renamed
        self.conn.executemany(
            "INSERT INTO documents (key, text, hash, source, meta, created) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        result.documents_added += len(rows)
        with_spans = [(r, h) for r, h in zip(batch, hashes, strict=True) if r.spans is not None]
        if not with_spans:
            return
        ids = self._ids_by("hash", [h for _, h in with_spans])
        for record, digest in with_spans:
            layer = layer_override or record.layer or default_layer
            self._layers.ensure(layer)
            assert record.spans is not None
            for span in record.spans:
                check_label(span.label, labels, record.source, record.line)
            cur = self.conn.executemany(
                'INSERT OR IGNORE INTO spans (doc_id, layer, start, "end", label, kb_id, source, who,'
                " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (ids[digest], layer, s.start, s.end, s.label, s.kb_id, "import", who, now)
                    for s in record.spans
                ],
            )
            result.spans_added += max(cur.rowcount, 0)
            self._progress.write_status(ids[digest], layer, "done", now)
