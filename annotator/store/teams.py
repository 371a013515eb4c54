"""Teams: who is assigned which document, the order documents are offered in, and what is ready for
review (documents finished by two or more annotators).

Only annotator layers count as annotators: not ``gold`` and not a layer of another kind (``conflict``:
another database's version kept by ``merge``, which is no independent annotator even when someone
marks its document done). Every layer a status or span names has its ``layers`` row (a foreign key);
a layer without one would still count as an annotator here, never be dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from annotator.model import GOLD, FinishedDocument, ReviewCounts, SpanKey
from annotator.store.connection import Tables

ANNOTATOR_LAYER = "layer != :gold AND layer NOT IN (SELECT name FROM layers WHERE kind != 'annotator')"
"""SQL: the row's ``layer`` is an annotator's (named parameter ``:gold``)."""


class Teams(Tables):
    """The ``assignments`` table, and the statuses and spans of the annotator layers that finished."""

    def assignments(self) -> dict[int, list[str]]:
        """Document id → the users assigned to it (sorted)."""
        assigned: dict[int, list[str]] = {}
        for doc_id, user in self.conn.execute("SELECT doc_id, user FROM assignments ORDER BY doc_id, user"):
            assigned.setdefault(doc_id, []).append(user)
        return assigned

    def started(self) -> set[tuple[int, str]]:
        """``(doc_id, layer)`` pairs someone has worked on (in progress or done): assign keeps them."""
        return set(self.conn.execute("SELECT doc_id, layer FROM doc_status WHERE status != 'todo'"))

    def set_assignments(self, assigned: dict[int, list[str]]) -> None:
        """Replace every assignment, in one transaction."""
        with self.transaction():
            self.conn.execute("DELETE FROM assignments")
            self.conn.executemany(
                "INSERT INTO assignments (doc_id, user) VALUES (?, ?)",
                [(doc_id, user) for doc_id, users in assigned.items() for user in users],
            )

    def document_order(self, user: str) -> list[int]:
        """The order the annotation screen offers documents to ``user``: assigned and not done first,
        then assigned and done, then the rest; by id within each group (plain id order without
        assignments)."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT d.id FROM documents d"
                " LEFT JOIN assignments a ON a.doc_id = d.id AND a.user = ?"
                " LEFT JOIN doc_status s ON s.doc_id = d.id AND s.layer = ?"
                " ORDER BY CASE WHEN a.user IS NULL THEN 2 WHEN s.status = 'done' THEN 1 ELSE 0 END, d.id",
                (user, user),
            )
        ]

    def finished_documents(self, doc_ids: Iterable[int] | None = None) -> Iterator[FinishedDocument]:
        """Every document (or those of ``doc_ids``) some annotator layer finished, with the spans of each
        layer that finished it (and their KB links), in id order. Only annotator layers count."""
        done: dict[int, dict[str, list[SpanKey]]] = {}
        links: dict[int, dict[str, dict[SpanKey, str]]] = {}
        finished = (
            f"SELECT doc_id, layer FROM doc_status WHERE status = 'done' AND {ANNOTATOR_LAYER}"
            " AND (:every OR doc_id IN (SELECT value FROM json_each(:wanted)))"
        )
        wanted = json.dumps(sorted(set(doc_ids))) if doc_ids is not None else "[]"
        params = {"gold": GOLD, "every": doc_ids is None, "wanted": wanted}
        for doc_id, layer in self.conn.execute(finished + " ORDER BY doc_id, layer", params):
            done.setdefault(doc_id, {})[layer] = []
        spans = self.conn.execute(
            'SELECT s.doc_id, s.layer, s.start, s."end", s.label, s.kb_id FROM spans s'
            f" JOIN ({finished}) d ON d.doc_id = s.doc_id AND d.layer = s.layer",
            params,
        )
        for doc_id, layer, start, end, label, kb_id in spans:
            done[doc_id][layer].append((start, end, label))
            if kb_id is not None:
                links.setdefault(doc_id, {}).setdefault(layer, {})[start, end, label] = kb_id
        ids = sorted(done)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self.conn.execute(
                f"SELECT id, key, text FROM documents WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            )
            for doc_id, key, text in rows:
                yield FinishedDocument(doc_id, key, text, done[doc_id], links.get(doc_id, {}))

    def has_review(self) -> bool:
        """Whether some document is finished by two or more annotator layers (cheap: statuses only)."""
        row = self.conn.execute(
            f"SELECT 1 FROM doc_status WHERE status = 'done' AND {ANNOTATOR_LAYER} GROUP BY doc_id"
            " HAVING count(*) >= 2 LIMIT 1",
            {"gold": GOLD},
        ).fetchone()
        return row is not None

    def review_counts(self) -> list[ReviewCounts]:
        """The span counts of every document two or more annotator layers finished, in no order:
        ``agreement.review_order`` makes the review order of them. Counted in SQL, without reading every
        span into Python (about 0.7 s of CPU for 10,000 documents of 3 layers × 20 spans)."""
        rows = self.conn.execute(
            f"""
            WITH done AS (
                SELECT doc_id, layer FROM doc_status WHERE status = 'done' AND {ANNOTATOR_LAYER}
            ), finished AS (
                SELECT doc_id, count(*) AS m FROM done GROUP BY doc_id HAVING count(*) >= 2
            ), held AS (
                SELECT s.doc_id, count(*) AS c, count(DISTINCT coalesce(s.kb_id, '')) AS links
                FROM spans s JOIN done d ON d.doc_id = s.doc_id AND d.layer = s.layer
                WHERE s.doc_id IN (SELECT doc_id FROM finished)
                GROUP BY s.doc_id, s.start, s."end", s.label
            )
            SELECT f.doc_id, docs.key, f.m, coalesce(sum(h.c * (h.c - 1)), 0), coalesce(sum(h.c), 0),
                coalesce(sum(h.c < f.m OR h.links > 1), 0)
            FROM finished f JOIN documents docs ON docs.id = f.doc_id
            LEFT JOIN held h ON h.doc_id = f.doc_id
            GROUP BY f.doc_id
            """,
            {"gold": GOLD},
        )
        return list(map(ReviewCounts._make, rows))
