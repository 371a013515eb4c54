"""What an export reads: which documents it takes, and each one's spans in a layer, streamed."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

from annotator.model import ExportRow, Span
from annotator.store.connection import Tables

EXPORT_FILTERS = {
    "done": "AND EXISTS (SELECT 1 FROM doc_status st WHERE st.doc_id = d.id AND st.layer = :layer"
    " AND st.status = 'done')",
    "worked": "AND EXISTS (SELECT 1 FROM doc_status st WHERE st.doc_id = d.id AND st.layer = :layer"
    " AND st.status IN ('in_progress', 'done'))",
    "all": "",
}
"""Which documents an export takes, by their status in the exported layer: SQL on ``documents d``."""


FileStamp = tuple[int, int, int, int]
"""A file as an export left it: device, inode, size, modification time in nanoseconds."""


class Exports(Tables):
    """Reads the ``documents``, ``doc_status``, ``spans`` and ``token_cache`` tables for an export, and
    keeps ``export_files``: what each file an export wrote looked like when it was written."""

    def written(self, path: str) -> FileStamp | None:
        """How the file at ``path`` (resolved) was when an export of this database last wrote it."""
        row = self.conn.execute(
            "SELECT device, inode, size, mtime_ns FROM export_files WHERE path = ?", (path,)
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def remember(self, path: str, stamp: FileStamp) -> bool:
        """Record that an export wrote ``path`` as ``stamp``; False when the database cannot be written
        (read-only): the next export there then needs ``--force``."""
        try:
            with self.transaction():
                self.conn.execute(
                    "INSERT INTO export_files (path, device, inode, size, mtime_ns, written)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET device = excluded.device,"
                    " inode = excluded.inode, size = excluded.size, mtime_ns = excluded.mtime_ns,"
                    " written = excluded.written",
                    (path, *stamp, time.time()),
                )
        except sqlite3.OperationalError:
            return False
        return True

    def document_ids(self, layer: str, which: str) -> list[int]:
        """Ids of the documents an export takes, in export order."""
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT d.id FROM documents d WHERE 1 {EXPORT_FILTERS[which]} ORDER BY d.id",
                {"layer": layer},
            )
        ]

    def document_count(self, layer: str, which: str) -> int:
        return int(
            self.conn.execute(
                f"SELECT count(*) FROM documents d WHERE 1 {EXPORT_FILTERS[which]}", {"layer": layer}
            ).fetchone()[0]
        )

    def rows(self, layer: str, which: str, version: str) -> Iterator[ExportRow]:
        """The exported documents in id order with their spans in ``layer`` and their token cache rows
        made by the tokenizer ``version``, streamed.

        Two ordered scans side by side (documents with their cache row; the layer's spans by document),
        so a document's text is read once however many spans it has and memory holds one document. Both
        read one snapshot (a read transaction), whatever annotators save meanwhile.
        """
        own_transaction = not self.conn.in_transaction
        if own_transaction:
            self.conn.execute("BEGIN")
        try:
            yield from self._scan(layer, which, version)
        finally:
            if own_transaction:
                self.conn.execute("COMMIT")

    def _scan(self, layer: str, which: str, version: str) -> Iterator[ExportRow]:
        docs = self.conn.execute(
            "SELECT d.id, d.key, d.text, d.meta, c.tokens, c.sentences FROM documents d"
            " LEFT JOIN token_cache c ON c.doc_id = d.id AND c.version = :version AND c.hash = d.hash"
            f" WHERE 1 {EXPORT_FILTERS[which]} ORDER BY d.id",
            {"layer": layer, "version": version},
        )
        spans = self.conn.execute(
            'SELECT doc_id, start, "end", label, kb_id FROM spans WHERE layer = ?'
            ' ORDER BY doc_id, start, "end" DESC, label',
            (layer,),
        )
        pending = next(spans, None)
        for doc_id, key, text, meta, tokens, sents in docs:
            while pending is not None and pending[0] < doc_id:
                pending = next(spans, None)
            found: list[Span] = []
            while pending is not None and pending[0] == doc_id:
                found.append(Span(pending[1], pending[2], pending[3], pending[4]))
                pending = next(spans, None)
            yield ExportRow(doc_id, key, text, meta, tokens, sents, found)
