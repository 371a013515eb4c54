"""The spans of each layer, the one way to change them, and the action log that undoes and redoes it.

Every change to a layer's spans is one :meth:`Edits.edit`: spans removed and spans added, as one step of
the action log; :meth:`Edits.tag` is the edit that puts spans in, each replacing what the layer has at
the same extent (a relabel: one span per extent unless a different extent is nested on purpose), and
:meth:`Edits.reject` the step that rejects proposals. Undo replays a step backwards, redo forwards
(``undone``: 0 live, 1 undone, 2 discarded by a newer edit), rejections included. Its timestamps also
say when each annotator worked.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable
from typing import Any

from annotator.errors import AnnotatorError
from annotator.model import Span
from annotator.store.connection import Connection, Tables
from annotator.store.kb import KnowledgeBaseTables
from annotator.store.labels import Layers
from annotator.store.progress import Progress

LayerState = tuple[list[Span], set[tuple[int, int, str]]]
"""A layer's spans on a document and the ``(start, end, label)`` of the proposals it rejected there."""


def as_accepted(proposals: Iterable[Span]) -> list[Span]:
    """Proposals as accepting them saves them: spans of source ``suggestion``."""
    return [dataclasses.replace(span, source="suggestion", id=None) for span in proposals]


class Edits(Tables):
    """The ``spans`` and ``actions`` tables (and, through ``store.kb``, the rejected proposals they log)."""

    def __init__(
        self, connection: Connection, layers: Layers, progress: Progress, kb: KnowledgeBaseTables
    ) -> None:
        super().__init__(connection)
        self._layers = layers
        self._progress = progress
        self._kb = kb

    def spans(self, doc_id: int, layer: str) -> list[Span]:
        """The layer's spans on the document, by start, longest first, then label."""
        return [
            Span(*row)
            for row in self.conn.execute(
                'SELECT start, "end", label, kb_id, source, id FROM spans'
                ' WHERE doc_id = ? AND layer = ? ORDER BY start, "end" DESC, label',
                (doc_id, layer),
            )
        ]

    def edit(
        self,
        doc_id: int,
        layer: str,
        remove: Iterable[Span] = (),
        add: Iterable[Span] = (),
        *,
        kind: str = "edit",
        who: str | None = None,
    ) -> bool:
        """Remove ``remove``, then add ``add``, as one undo step (``undo(doc_id, layer)`` reverts it).

        Every span of ``remove`` must be in the layer (else an error, and nothing changes); a span of
        ``add`` the layer already has is not added again, and so not removed by the undo. Only what
        changed is logged, and the document is then in progress for the layer (unless done). ``kind``
        names the step in the log (``edit``; a review's ``review`` and ``agreed``; :meth:`reject` logs
        ``reject``). False when nothing changed (then nothing is logged).
        """
        now = time.time()
        with self.transaction():
            self._layers.ensure(layer)
            removed = [self._delete(doc_id, layer, s) for s in remove]
            added = [_span_dict(s) for s in add if self._insert(doc_id, layer, s, who, now)]
            if not removed and not added:
                return False
            self._log(doc_id, layer, who, kind, {"removed": removed, "added": added}, now)
            self._progress.touch(doc_id, layer, now)
        return True

    def tag(
        self,
        doc_id: int,
        layer: str,
        spans: Iterable[Span],
        *,
        who: str | None = None,
        replacing: Iterable[Span] = (),
    ) -> tuple[list[Span], list[Span]]:
        """Put ``spans`` in the layer as one undo step, each in place of what the layer has at its extent
        (a relabel, a link, an accepted proposal on a span already there): one span per extent. A span
        the layer has already (same label, and same KB link unless ``span`` is a manual tag without one)
        stays as it is. Read and written in one transaction, so a screen showing an older state of the
        layer cannot duplicate a span. ``replacing`` are other spans of the layer the new ones take the
        place of, in the same step (a wider tag over spans of its label). Returns ``(removed, added)``,
        what changed (both empty: nothing).
        """
        spans = list(spans)
        with self.transaction():
            there = [
                old
                for extent in dict.fromkeys((s.start, s.end) for s in spans)
                for old in self._at(doc_id, layer, *extent)
            ]
            kept: set[int] = set()
            add: list[Span] = []
            for span in spans:
                same = [
                    i
                    for i, old in enumerate(there)
                    if (old.start, old.end, old.label) == (span.start, span.end, span.label)
                    and (old.kb_id == span.kb_id or (span.kb_id is None and span.source == "manual"))
                ]
                if same:
                    kept.update(same)
                else:
                    add.append(span)
            remove = [old for i, old in enumerate(there) if i not in kept]
            extents = {(old.start, old.end, old.label) for old in remove}
            remove += [
                old
                for extent in dict.fromkeys((s.start, s.end, s.label) for s in replacing)
                if extent not in extents
                for old in self._at(doc_id, layer, extent[0], extent[1])
                if old.label == extent[2]
            ]
            if not add and not remove:
                return [], []
            self.edit(doc_id, layer, remove, add, who=who)
        return remove, add

    def remove_present(
        self, doc_id: int, layer: str, spans: Iterable[Span], *, who: str | None = None
    ) -> list[Span]:
        """Remove those of ``spans`` the layer still has, as one step; the ones removed. A screen whose
        earlier writes are still pending asks for what it shows, which one of them may have taken away."""
        with self.transaction():
            there = {(s.start, s.end, s.label) for s in self.spans(doc_id, layer)}
            present = [s for s in spans if (s.start, s.end, s.label) in there]
            if present:
                self.edit(doc_id, layer, remove=present, who=who)
        return present

    def move(self, doc_id: int, layer: str, span: Span, moved: Span, *, who: str | None = None) -> bool:
        """Put ``moved`` in place of ``span`` as one step (an edge moved); False, changing nothing, when
        the layer no longer has ``span`` or has ``moved`` already."""
        with self.transaction():
            there = {(s.start, s.end, s.label) for s in self.spans(doc_id, layer)}
            if (span.start, span.end, span.label) not in there or (
                moved.start,
                moved.end,
                moved.label,
            ) in there:
                return False
            return self.edit(doc_id, layer, remove=[span], add=[moved], who=who)

    def step(self, doc_id: int, layer: str, redo: bool = False) -> tuple[LayerState, LayerState] | None:
        """:meth:`undo` (or :meth:`redo`) with the layer's spans and rejected proposals before and after
        it, to say what it changed; None when there was nothing to undo."""
        with self.transaction():
            before = self.spans(doc_id, layer), self._kb.rejected_suggestions(doc_id, layer)
            if not (self.redo if redo else self.undo)(doc_id, layer):
                return None
            return before, (self.spans(doc_id, layer), self._kb.rejected_suggestions(doc_id, layer))

    def _at(self, doc_id: int, layer: str, start: int, end: int) -> list[Span]:
        """The layer's spans with exactly this extent (the spans' unique index finds them)."""
        return [
            Span(start, end, *row)
            for row in self.conn.execute(
                "SELECT label, kb_id, source, id FROM spans WHERE doc_id = ? AND layer = ? AND start = ?"
                ' AND "end" = ? ORDER BY label',
                (doc_id, layer, start, end),
            )
        ]

    def reject(self, doc_id: int, layer: str, proposals: Iterable[Span], *, who: str | None = None) -> bool:
        """Reject ``proposals`` for ``layer``'s annotator (``store.kb.rejected_suggestions`` has them, so
        they are not proposed again) as one step of the action log: undo brings them back, redo rejects
        them again. False when every one was rejected already (then nothing is logged)."""
        now = time.time()
        with self.transaction():
            self._layers.ensure(layer)
            rejected = [_span_dict(s) for s in proposals if self._kb.add_rejection(doc_id, layer, s, now)]
            if not rejected:
                return False
            self._log(doc_id, layer, who, "reject", {"removed": [], "added": [], "rejected": rejected}, now)
        return True

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
            for item in data.get("rejected", ()):
                self._kb.remove_rejection(doc_id, layer, _span_from(item))
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
            for item in data.get("rejected", ()):
                self._kb.add_rejection(doc_id, layer, _span_from(item), time.time())
            self.conn.execute("UPDATE actions SET undone = 0 WHERE id = ?", (row[0],))
        return True

    def _replay(
        self, doc_id: int, layer: str, remove: list[dict[str, Any]], add: list[dict[str, Any]]
    ) -> None:
        now = time.time()
        for item in remove:
            self._delete(doc_id, layer, _span_from(item))
        for item in add:
            self._insert(doc_id, layer, _span_from(item), item.get("who"), now)

    def _insert(self, doc_id: int, layer: str, span: Span, who: str | None, now: float) -> bool:
        """Insert ``span``; False when the layer already had it (then nothing changed)."""
        cursor = self.conn.execute(
            'INSERT OR IGNORE INTO spans (doc_id, layer, start, "end", label, kb_id, source, who, created)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, layer, span.start, span.end, span.label, span.kb_id, span.source, who, now),
        )
        return cursor.rowcount > 0

    def _delete(self, doc_id: int, layer: str, span: Span) -> dict[str, Any]:
        """Delete ``span`` (matched by start, end and label); what the log keeps of it."""
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
