"""The knowledge-base tables: entries and their version, what saved spans teach, rejected proposals."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.model import KbEntry, KbRow, LearnedMention, Span, check_label
from annotator.store.connection import Connection, Tables, staging
from annotator.store.labels import Labels

_KB_BATCH = 5000
_STAGED = "temp.kb_import"
_STAGED_TABLES = (
    "CREATE TEMP TABLE kb_import (kb_id TEXT, name TEXT, label TEXT, aliases TEXT, description TEXT,"
    " source TEXT, prominence REAL)",
)


class KnowledgeBaseTables(Tables):
    """The ``kb_entries``, ``kb_version`` and ``suggestion_rejections`` tables."""

    def __init__(self, connection: Connection, labels: Labels) -> None:
        super().__init__(connection)
        self._labels = labels

    def add(self, entries: Iterable[KbEntry], path: str | Path | None = None) -> int:
        """Add entries, all or none; an entry with the kb_id and label of one already stored replaces it.
        Without a kb_id an entry is identified by ``LABEL:name``. Returns the count. ``path`` is the file
        they come from, for error messages.

        Staged as an import is (``store.documents``): read and checked into a temporary table with no
        lock held, then copied in by one short transaction."""
        return self._import(entries, path)[2]

    def import_entries(self, entries: Iterable[KbEntry], path: str | Path | None = None) -> tuple[int, int]:
        """:meth:`add`, counting ``(added, replaced)``: entries new to the knowledge base, and entries
        that replaced one with the same kb_id and label (or an earlier line of theirs)."""
        added, replaced, _ = self._import(entries, path)
        return added, replaced

    def _import(self, entries: Iterable[KbEntry], path: str | Path | None) -> tuple[int, int, int]:
        labels = self._labels.names()
        count = 0
        with staging(self.conn, _STAGED_TABLES) as commit_staged:
            rows = []
            for entry in entries:
                check_label(entry.label, labels, path, entry.line)
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
                if len(rows) >= _KB_BATCH:
                    count += self._stage(rows)
                    commit_staged()
                    rows = []
            count += self._stage(rows)
            commit_staged()
            with self.transaction():
                before = self.count()
                self.conn.execute(
                    "INSERT INTO main.kb_entries (kb_id, name, label, aliases, description, source,"
                    f" prominence) SELECT kb_id, name, label, aliases, description, source, prominence"
                    f" FROM {_STAGED} WHERE true ORDER BY rowid ON CONFLICT (kb_id, label) DO UPDATE SET"
                    " name = excluded.name, aliases = excluded.aliases, description = excluded.description,"
                    " source = excluded.source, prominence = excluded.prominence"
                )
                added = self.count() - before
                self.conn.execute(
                    "INSERT INTO kb_version (id, version) VALUES (1, ?)"
                    " ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                    (uuid.uuid4().hex,),
                )
        return added, count - added, count

    def _stage(self, rows: list[tuple[Any, ...]]) -> int:
        self.conn.executemany(
            f"INSERT INTO {_STAGED} (kb_id, name, label, aliases, description, source, prominence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM kb_entries").fetchone()[0])

    def version(self) -> str | None:
        """Changes with every KB write; None while the KB has never been written."""
        row = self.conn.execute("SELECT version FROM kb_version WHERE id = 1").fetchone()
        return None if row is None else str(row[0])

    def rows(self) -> Iterator[KbRow]:
        """Every entry, in insertion order."""
        for kb_id, name, label, aliases, description, prominence in self.conn.execute(
            "SELECT kb_id, name, label, aliases, description, prominence FROM kb_entries ORDER BY id"
        ):
            yield kb_id, name, label, json.loads(aliases), description, prominence

    def learned_mentions(self, layers: Collection[str] | None = None) -> list[LearnedMention]:
        """What saved spans teach: ``(text, label, kb_id, count)`` over every document, from the spans of
        ``layers`` (an annotator's learning sources, ``annotator.kb.learning_layers``), or of every
        layer when None. Only spans that exist now: an undone one is no longer in ``spans``."""
        # Texts are sliced here, not with SQL's substr: that walks each UTF-8 text from its start for
        # every span (4.4 s for 600,000 spans in 10,000 articles; this way 0.9 s).
        counts: Counter[tuple[str, str, str | None]] = Counter()
        doc, text = None, ""
        wanted = json.dumps(sorted(layers)) if layers is not None else "[]"
        rows = self.conn.execute(
            'SELECT doc_id, start, "end", label, kb_id, count(*) FROM spans'
            " WHERE ? OR layer IN (SELECT value FROM json_each(?))"
            ' GROUP BY doc_id, start, "end", label, kb_id ORDER BY doc_id',
            (layers is None, wanted),
        )
        for doc_id, start, end, label, kb_id, count in rows:
            if doc_id != doc:
                doc = doc_id
                text = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
            counts[text[start:end], label, kb_id] += count
        return [(text, label, kb_id, count) for (text, label, kb_id), count in counts.items()]

    def add_rejection(self, doc_id: int, layer: str, span: Span, now: float) -> bool:
        """Remember that ``layer``'s annotator rejected this proposal; False when it was already. Only
        ``store.edits.reject`` (and its undo and redo) calls this, in its transaction: a rejection is a
        step of the action log."""
        cursor = self.conn.execute(
            'INSERT OR IGNORE INTO suggestion_rejections (doc_id, layer, start, "end", label, created)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, layer, span.start, span.end, span.label, now),
        )
        return cursor.rowcount > 0

    def remove_rejection(self, doc_id: int, layer: str, span: Span) -> None:
        """Forget a rejection (its step undone): the proposal comes back."""
        self.conn.execute(
            'DELETE FROM suggestion_rejections WHERE doc_id = ? AND layer = ? AND start = ? AND "end" = ?'
            " AND label = ?",
            (doc_id, layer, span.start, span.end, span.label),
        )

    def rejected_suggestions(self, doc_id: int, layer: str) -> set[tuple[int, int, str]]:
        """``(start, end, label)`` of the proposals ``layer``'s annotator rejected on the document."""
        return {
            (start, end, label)
            for start, end, label in self.conn.execute(
                'SELECT start, "end", label FROM suggestion_rejections WHERE doc_id = ? AND layer = ?',
                (doc_id, layer),
            )
        }
