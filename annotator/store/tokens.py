"""The token cache: each document's token offsets and sentence starts, filled lazily by the export.

Tokenizing is the slowest part of an export and a document's text never changes. Rows made by another
tokenizer (``version`` is ``text.tokenizer_fingerprint()``) or for another text (``hash``: a row left
behind by a deletion made without foreign keys, its id reused) are ignored and overwritten.

A blob is a flat array of unsigned 32-bit offsets, little-endian whatever the machine: tokens as
``start, end, start, end, ...``, sentences as the index of each sentence's first token.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence

from annotator.store.connection import Tables
from annotator.store.exports import EXPORT_FILTERS

_OFFSETS = "I"  # 4 bytes (a blob's layout is part of the cache's format)
assert array(_OFFSETS).itemsize == 4


def pack_offsets(values: Sequence[int]) -> bytes:
    packed = array(_OFFSETS, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_offsets(blob: bytes) -> array[int]:
    values = array(_OFFSETS)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


class Tokens(Tables):
    """The ``token_cache`` table."""

    def missing(
        self, layer: str, which: str, version: str, after_id: int, limit: int
    ) -> list[tuple[int, str]]:
        """``(id, text)`` of up to ``limit`` documents an export of ``layer`` takes (``which``: see
        ``EXPORT_FILTERS``), after ``after_id`` in id order, that lack a cache row of ``version``."""
        return self.conn.execute(
            "SELECT d.id, d.text FROM documents d LEFT JOIN token_cache c ON c.doc_id = d.id"
            " WHERE d.id > :after AND (c.version IS NULL OR c.version != :version OR c.hash != d.hash)"
            f" {EXPORT_FILTERS[which]}"
            " ORDER BY d.id LIMIT :limit",
            {"layer": layer, "version": version, "after": after_id, "limit": limit},
        ).fetchall()

    def save(self, version: str, rows: Iterable[tuple[int, bytes, bytes]]) -> None:
        """Store ``(doc_id, tokens, sentences)`` blobs made by the tokenizer ``version``."""
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO token_cache (doc_id, version, hash, tokens, sentences)"
                " SELECT id, ?, hash, ?, ? FROM documents WHERE id = ?",
                [(version, tokens, sents, doc_id) for doc_id, tokens, sents in rows],
            )
