"""Progress: each document's status in each layer, the time spent on it, and the project's figures."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from annotator.errors import AnnotatorError
from annotator.model import STATUSES
from annotator.store.connection import Connection, Tables
from annotator.store.labels import Labels, Layers


class Progress(Tables):
    """The ``doc_status`` table: todo, in progress or done, and seconds spent, per document and layer."""

    def __init__(self, connection: Connection, labels: Labels, layers: Layers) -> None:
        super().__init__(connection)
        self._labels = labels
        self._layers = layers

    def status(self, doc_id: int, layer: str) -> str:
        row = self.conn.execute(
            "SELECT status FROM doc_status WHERE doc_id = ? AND layer = ?", (doc_id, layer)
        ).fetchone()
        return str(row[0]) if row else "todo"

    def statuses(self, layer: str) -> dict[int, str]:
        """Each document's status in ``layer``, for those that have one (the others are todo)."""
        rows = self.conn.execute("SELECT doc_id, status FROM doc_status WHERE layer = ?", (layer,))
        return {int(doc_id): str(status) for doc_id, status in rows}

    def next_unfinished(self, doc_ids: Sequence[int], after: int, layer: str) -> int | None:
        """The position in ``doc_ids`` of the first document after position ``after`` (wrapping round,
        ``after`` itself last) that is not done in ``layer``; None when every one is."""
        for step in range(1, len(doc_ids) + 1):
            index = (after + step) % len(doc_ids)
            if self.status(doc_ids[index], layer) != "done":
                return index
        return None

    def set_status(self, doc_id: int, layer: str, status: str) -> None:
        if status not in STATUSES:
            raise AnnotatorError(f"unknown status {status!r}")
        with self.transaction():
            self._layers.ensure(layer)
            self.write_status(doc_id, layer, status, time.time())

    def add_time(self, doc_id: int, layer: str, seconds: float, keys: int = 0) -> None:
        """Count ``seconds`` spent and ``keys`` pressed on a document in a layer; it leaves the status
        alone: reading a document does not begin it (an edit does), so ``assign`` may still give it to
        someone else."""
        with self.transaction():
            self._layers.ensure(layer)
            self.conn.execute(
                "INSERT INTO doc_status (doc_id, layer, status, updated) VALUES (?, ?, 'todo', ?)"
                " ON CONFLICT (doc_id, layer) DO NOTHING",
                (doc_id, layer, time.time()),
            )
            self.conn.execute(
                "UPDATE doc_status SET seconds = seconds + ? WHERE doc_id = ? AND layer = ?",
                (seconds, doc_id, layer),
            )
            if keys:
                self.conn.execute(
                    "INSERT INTO effort (doc_id, layer, keys) VALUES (?, ?, ?)"
                    " ON CONFLICT (doc_id, layer) DO UPDATE SET keys = keys + excluded.keys",
                    (doc_id, layer, keys),
                )
            self.conn.execute(
                "INSERT INTO effort_days (layer, day, seconds, keys)"
                " VALUES (?, date('now', 'localtime'), ?, ?) ON CONFLICT (layer, day) DO UPDATE"
                " SET seconds = seconds + excluded.seconds, keys = keys + excluded.keys",
                (layer, seconds, keys),
            )

    def keys(self, doc_id: int, layer: str) -> int:
        row = self.conn.execute(
            "SELECT keys FROM effort WHERE doc_id = ? AND layer = ?", (doc_id, layer)
        ).fetchone()
        return int(row[0]) if row else 0

    def effort(self) -> dict[str, dict[str, Any]]:
        """Per layer, over the documents worked on in the annotation screen (time or keys counted):
        seconds, keys, spans tagged by hand (source ``manual``) and accepted from proposals or
        suggestions (source ``suggestion``), seconds and keys per span, and the share accepted."""
        out: dict[str, dict[str, Any]] = {}
        worked = (
            "SELECT doc_id, layer, seconds, 0 AS keys FROM doc_status WHERE seconds > 0"
            " UNION ALL SELECT doc_id, layer, 0, keys FROM effort"
        )
        for layer, documents, seconds, keys in self.conn.execute(
            f"SELECT layer, count(DISTINCT doc_id), sum(seconds), sum(keys) FROM ({worked}) GROUP BY layer"
        ):
            out[layer] = {"documents": documents, "seconds": seconds or 0.0, "keys": keys or 0,
                          "spans_by_hand": 0, "spans_accepted": 0}  # fmt: skip
        for layer, source, count in self.conn.execute(
            "SELECT s.layer, s.source, count(*) FROM spans s"
            f" WHERE (s.doc_id, s.layer) IN (SELECT doc_id, layer FROM ({worked}))"
            " AND s.source IN ('manual', 'suggestion') GROUP BY s.layer, s.source"
        ):
            out[layer]["spans_by_hand" if source == "manual" else "spans_accepted"] = count
        for entry in out.values():
            spans = entry["spans_by_hand"] + entry["spans_accepted"]
            entry["seconds_per_span"] = entry["seconds"] / spans if spans else None
            entry["keys_per_span"] = entry["keys"] / spans if spans else None
            entry["accepted_share"] = entry["spans_accepted"] / spans if spans else None
        return out

    def write_status(self, doc_id: int, layer: str, status: str, now: float) -> None:
        """Set the status, in the caller's write transaction."""
        self.conn.execute(
            "INSERT INTO doc_status (doc_id, layer, status, updated) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (doc_id, layer) DO UPDATE SET status = excluded.status, updated = excluded.updated",
            (doc_id, layer, status, now),
        )

    def touch(self, doc_id: int, layer: str, now: float) -> None:
        """A document an annotator has worked on is in progress, unless it is already done (in the
        caller's write transaction)."""
        self.conn.execute(
            "INSERT INTO doc_status (doc_id, layer, status, updated) VALUES (?, ?, 'in_progress', ?)"
            " ON CONFLICT (doc_id, layer) DO UPDATE SET updated = excluded.updated,"
            " status = CASE status WHEN 'todo' THEN 'in_progress' ELSE status END",
            (doc_id, layer, now),
        )

    def daily(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per layer and calendar day (local time): documents marked done that day (and still done),
        spans made that day (and still there) per label, and the seconds and keys counted that day in
        the annotation screen, with seconds and keys per span."""
        labels = [label.name for label in self._labels.all()]
        days: dict[str, dict[str, dict[str, Any]]] = {}

        def entry(layer: str, day: str) -> dict[str, Any]:
            found = days.setdefault(layer, {}).get(day)
            if found is None:
                found = days[layer][day] = {"documents_done": 0, "labels": dict.fromkeys(labels, 0),
                                            "spans": 0, "seconds": 0.0, "keys": 0}  # fmt: skip
            return found

        local = "date({}, 'unixepoch', 'localtime')"
        for layer, day, count in self.conn.execute(
            f"SELECT layer, {local.format('updated')}, count(*) FROM doc_status WHERE status = 'done'"
            " GROUP BY 1, 2"
        ):
            entry(layer, day)["documents_done"] = count
        for layer, day, label, count in self.conn.execute(
            f"SELECT layer, {local.format('created')}, label, count(*) FROM spans GROUP BY 1, 2, 3"
        ):
            found = entry(layer, day)
            found["labels"][label] = found["labels"].get(label, 0) + count
            found["spans"] += count
        for layer, day, seconds, keys in self.conn.execute(
            "SELECT layer, day, seconds, keys FROM effort_days"
        ):
            found = entry(layer, day)
            found["seconds"], found["keys"] = seconds, keys
        for per_day in days.values():
            for found in per_day.values():
                spans, counted = found["spans"], found["seconds"] or found["keys"]
                found["seconds_per_span"] = found["seconds"] / spans if spans and counted else None
                found["keys_per_span"] = found["keys"] / spans if spans and counted else None
        return {layer: dict(sorted(per_day.items())) for layer, per_day in sorted(days.items())}

    def stats(self) -> dict[str, Any]:
        """Documents, characters, spans per label and layer, and each layer's progress and time."""
        documents = int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        labels = [label.name for label in self._labels.all()]
        layers: dict[str, dict[str, Any]] = {}
        for name in self._layers.names():
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
        effort = self.effort()
        for name, entry in layers.items():
            entry["effort"] = effort.get(name)
        return {
            "documents": documents,
            "characters": int(
                self.conn.execute("SELECT coalesce(sum(length(text)), 0) FROM documents").fetchone()[0]
            ),
            "spans": sum(per_label.values()),
            "labels": per_label,
            "layers": layers,
        }
