"""The tokens and sentences an export writes: from the token cache, or tokenized and cached first."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from annotator.formats import ExportDocument
from annotator.model import ExportRow
from annotator.store import Store
from annotator.store.tokens import pack_offsets, unpack_offsets
from annotator.text import Token, sentences, tokenize

CACHE_BATCH = 200


def tokens_and_sentences(text: str) -> tuple[list[Token], list[int]]:
    tokens = tokenize(text)
    return tokens, [first for first, _ in sentences(text, tokens)]


def export_document(row: ExportRow, needs_tokens: bool) -> ExportDocument:
    """The row as a writer gets it, with its tokens (cached, or tokenized now) when the format needs them."""
    tokens: list[Token] = []
    starts: Sequence[int] = ()
    if needs_tokens:
        if row.tokens is not None and row.sentences is not None:
            flat = unpack_offsets(row.tokens)
            tokens = list(zip(flat[0::2], flat[1::2], strict=True))
            starts = unpack_offsets(row.sentences)
        else:
            tokens, starts = tokens_and_sentences(row.text)
    return ExportDocument(row.key, row.text, row.meta, row.spans, tokens, starts)


def fill_token_cache(
    store: Store, layer: str, which: str, version: str, progress: Callable[[int], Any]
) -> int:
    """Tokenize the exported documents the cache lacks and store them; how many were tokenized.

    A database that cannot be written (read-only, locked for long) is no error: the export then
    tokenizes those documents as it goes.
    """
    done = 0
    after = 0
    while batch := store.tokens.missing(layer, which, version, after, CACHE_BATCH):
        rows = []
        for doc_id, text in batch:
            tokens, starts = tokens_and_sentences(text)
            rows.append((doc_id, pack_offsets(list(chain.from_iterable(tokens))), pack_offsets(starts)))
        try:
            store.tokens.save(version, rows)
        except sqlite3.OperationalError:
            return done
        done += len(batch)
        after = batch[-1][0]
        progress(len(batch))
    return done
