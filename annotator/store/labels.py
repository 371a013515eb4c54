"""The label set and the layers: the names spans are made of."""

from __future__ import annotations

import time

from annotator.model import GOLD, Label
from annotator.store.connection import Tables


class Labels(Tables):
    """The ``labels`` table: name, key and colour of every label, in the configured order."""

    def all(self) -> list[Label]:
        return [
            Label(*row) for row in self.conn.execute("SELECT name, key, colour FROM labels ORDER BY position")
        ]

    def names(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT name FROM labels")}

    def define(self, labels: list[Label]) -> None:
        """Make ``labels`` the label set, in this order. A label no longer listed is removed unless spans
        or KB entries still use it (then it stays, after the listed ones)."""
        listed = [label.name for label in labels]
        with self.transaction():
            for position, label in enumerate(labels):
                self.conn.execute(
                    "INSERT INTO labels (name, key, colour, position) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET key = excluded.key, colour = excluded.colour,"
                    " position = excluded.position",
                    (label.name, label.key, label.colour, position),
                )
            placeholders = ",".join("?" * len(listed))
            query = f"SELECT name FROM labels WHERE name NOT IN ({placeholders}) ORDER BY position"
            others = [row[0] for row in self.conn.execute(query, listed)]
            for position, name in enumerate(others, len(labels)):
                used = self.conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM spans WHERE label = ?)"
                    " OR EXISTS (SELECT 1 FROM kb_entries WHERE label = ?)",
                    (name, name),
                ).fetchone()[0]
                if used:
                    self.conn.execute("UPDATE labels SET position = ? WHERE name = ?", (position, name))
                else:
                    self.conn.execute("DELETE FROM labels WHERE name = ?", (name,))


class Layers(Tables):
    """The ``layers`` table: one row per annotator's layer, and ``gold``."""

    def ensure(self, name: str, kind: str | None = None) -> None:
        """Add the layer unless it exists (its kind ``gold`` for the layer ``gold``, else ``annotator``),
        in the caller's write transaction."""
        kind = kind or ("gold" if name == GOLD else "annotator")
        self.conn.execute(
            "INSERT OR IGNORE INTO layers (name, kind, created) VALUES (?, ?, ?)",
            (name, kind, time.time()),
        )

    def names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM layers ORDER BY name")]

    def kinds(self) -> dict[str, str]:
        """Every layer's kind: ``annotator``, ``gold`` or ``conflict`` (another database's version)."""
        return {name: kind for name, kind in self.conn.execute("SELECT name, kind FROM layers ORDER BY name")}

    def kind(self, layer: str) -> str | None:
        row = self.conn.execute("SELECT kind FROM layers WHERE name = ?", (layer,)).fetchone()
        return None if row is None else str(row[0])

    def has_spans(self, layer: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM spans WHERE layer = ? LIMIT 1", (layer,)).fetchone() is not None
        )
