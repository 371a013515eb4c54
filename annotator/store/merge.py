"""Merging: documents, labels, layers, spans, statuses and action logs brought in from other annotator
databases (made on other machines), nothing duplicated and no span of either side discarded.

Documents match by content. Per document and layer the two versions compare so:

- the same spans: only a later status comes over;
- one version is the other carried further (its action log is the other's log plus more steps, and
  taking those steps back gives the other's spans): that one is kept, its removals and relabellings
  included, since the other side has not touched the document since;
- else, one version holds every span of the other: that one is kept;
- else both sides changed it: a conflict. This database's version stays in the layer (with ``prefer``
  "theirs", the other database's), and the other version is kept as a layer of its own,
  ``LAYER@NAME``, NAME from its database's file name (``-2``, ``-3``... when that layer holds another
  version of the document), unless an earlier merge kept it there already. That layer's kind is
  ``conflict`` and its documents come in progress, not done, so no agreement figure or review counts it.

A kept version comes with its status and its action log, so undo goes on working on it.

Proposal models (``store.models``): every model the other database has and this one lacks is copied,
so both sides' are kept; each user's newest is their current one. Keys pressed per document and layer
(``effort``): the larger count of the two.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import time
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from annotator.errors import AnnotatorError
from annotator.model import (
    CONFLICT,
    GOLD,
    STATUSES,
    MergeConflict,
    MergeResult,
    label_problem,
    name_problem,
    text_problem,
)
from annotator.store.connection import BATCH, Connection, Tables, connect_read_only
from annotator.store.documents import Documents
from annotator.store.models import Models
from annotator.store.schema import FIRST, applied_names, newer_names
from annotator.wording import counted

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

SpanRow = tuple[int, int, str, str | None, str, str | None, float]
"""A span as merge copies it: start, end, label, kb_id, source, who, created."""
ActionRow = tuple[float, str | None, str, str, int]
"""A step of the action log as merge copies it: ts, who, kind, data, undone."""
SpanKey = tuple[int, int, str, str | None]
"""What makes two versions' spans the same: start, end, label, kb_id."""
Item = tuple[int, str]
"""A document (our id) and a layer."""
Outcome = Literal["same", "mine", "theirs", "conflict"]


class _DryRun(Exception):
    """Raised at the end of a dry run: the transaction rolls back, nothing is written."""


class Merge(Tables):
    """Writes every table but the KB's and the token cache, from another database's rows."""

    def __init__(self, connection: Connection, documents: Documents, models: Models) -> None:
        super().__init__(connection)
        self._documents = documents
        self._models = models

    def from_databases(
        self, paths: Iterable[Path], prefer: str | None = None, dry_run: bool = False
    ) -> MergeResult:
        """Bring in documents (by content hash), labels, layers, spans, statuses and action logs from
        other annotator databases, all in one transaction (see the module's docstring for what is kept
        where). Each other database is checked first, before the write lock is taken; what is kept where
        depends on this database's state, so that part holds it. Merging the same database again changes
        nothing. ``prefer`` ("mine", the default, or "theirs") says whose version stays in the layer when
        both changed it; ``dry_run`` works it all out and reports it, and writes nothing.
        """
        if prefer not in (None, "mine", "theirs"):
            raise AnnotatorError(f"--prefer must be mine or theirs, not {prefer!r}")
        others = [(Path(p), _open_other(Path(p), self.path)) for p in paths]
        result = MergeResult(dry_run=dry_run)
        try:
            for path, other in others:  # reads only the other file: before the write lock is taken
                check_database(path, other)
            with self.transaction():
                for path, other in others:
                    self._merge_one(path, other, prefer or "mine", result)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        finally:
            for _, other in others:
                other.close()
        return result

    def _merge_one(self, path: Path, other: sqlite3.Connection, prefer: str, result: MergeResult) -> None:
        self._merge_labels(path, other, result)
        their_layers: dict[str, str] = {}
        for name, kind, created in other.execute("SELECT name, kind, created FROM layers"):
            their_layers[name] = kind
            result.layers_added += self.conn.execute(
                "INSERT OR IGNORE INTO layers (name, kind, created) VALUES (?, ?, ?)", (name, kind, created)
            ).rowcount
        ids = self._merge_documents(other, result)
        result.models_added += self._models.copy_from(other)
        self._merge_effort(other, ids)
        self._merge_effort_days(path, other, their_layers)
        theirs = _LayerStates.read(other, ids.__getitem__)
        mine = _LayerStates.read(self.conn, None, set(ids.values()))
        mine_present = mine.keys()
        copy: list[Item] = []
        for item in sorted(theirs.keys()):
            doc_id, layer = item
            their = theirs.version(item)
            kind = their_layers.get(layer, "annotator")
            if item not in mine_present:
                copy.append(item)
                result.changed(layer, len(their.spans), 0, kind)
                continue
            my = mine.version(item)
            outcome = compare(my, their)
            if outcome == "same" and carried_further(their, my):
                self._replace(item, my, their, result, kind)  # the same spans, and later steps (rejections)
            elif outcome == "same":
                self._reject_as_logged(doc_id, layer, their.actions)
                if their.status is not None and their.status[2] > (my.status or ("", 0.0, -1.0))[2]:
                    self.conn.execute(
                        "INSERT INTO doc_status (doc_id, layer, status, seconds, updated)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id, layer) DO UPDATE SET"
                        " status = excluded.status, seconds = excluded.seconds, updated = excluded.updated",
                        (doc_id, layer, *their.status),
                    )
                    result.statuses_updated += 1
            elif outcome == "theirs":
                self._replace(item, my, their, result, kind)
            elif outcome == "conflict":
                self._conflict(path, item, my, their, prefer, set(their_layers), result)
        self._write(
            [(doc_id, layer, theirs.version((doc_id, layer))) for doc_id, layer in copy], in_progress=False
        )

    def _merge_labels(self, path: Path, other: sqlite3.Connection, result: MergeResult) -> None:
        """Add the labels this database lacks, after its own; an error when one has a key a different
        label has here (the annotation screen could not tell them apart)."""
        by_key = dict(self.conn.execute("SELECT key, name FROM labels"))
        names = set(by_key.values())
        position = self.conn.execute("SELECT coalesce(max(position), -1) FROM labels").fetchone()[0]
        for name, key, colour in other.execute("SELECT name, key, colour FROM labels ORDER BY position"):
            if name in names:
                continue
            if key in by_key:
                raise AnnotatorError(
                    f"cannot merge: its label {name} has the key {key!r} of label {by_key[key]} here", path
                )
            position += 1
            self.conn.execute(
                "INSERT INTO labels (name, key, colour, position) VALUES (?, ?, ?, ?)",
                (name, key, colour, position),
            )
            by_key[key] = name
            names.add(name)
            result.labels_added += 1

    def _merge_effort(self, other: sqlite3.Connection, ids: dict[int, int]) -> None:
        """Keys pressed per document and layer: the larger count of the two sides (merging the same
        database again adds nothing). A database from before the effort table has none."""
        if not other.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'effort'"
        ).fetchone():
            return
        for doc_id, layer, keys in other.execute("SELECT doc_id, layer, keys FROM effort"):
            self.conn.execute(
                "INSERT INTO effort (doc_id, layer, keys) VALUES (?, ?, ?)"
                " ON CONFLICT (doc_id, layer) DO UPDATE SET keys = max(keys, excluded.keys)",
                (ids[doc_id], layer, keys),
            )

    def _merge_effort_days(self, path: Path, other: sqlite3.Connection, layers: Container[str]) -> None:
        """Seconds and keys per layer and day: the larger of the two sides, as for ``effort``."""
        if not other.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'effort_days'"
        ).fetchone():
            return
        for layer, day, seconds, keys in other.execute("SELECT layer, day, seconds, keys FROM effort_days"):
            if layer not in layers or not isinstance(day, str) or not _DAY.fullmatch(day):
                raise AnnotatorError(f"effort_days: no layer {layer!r} or no day {day!r}", path)
            if not isinstance(seconds, int | float) or not isinstance(keys, int) or seconds < 0 or keys < 0:
                raise AnnotatorError(f"effort_days: {layer!r} {day}: bad seconds or keys", path)
            self.conn.execute(
                "INSERT INTO effort_days (layer, day, seconds, keys) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (layer, day) DO UPDATE"
                " SET seconds = max(seconds, excluded.seconds), keys = max(keys, excluded.keys)",
                (layer, day, seconds, keys),
            )

    def _merge_documents(self, other: sqlite3.Connection, result: MergeResult) -> dict[int, int]:
        """Add the documents whose text this database lacks; their document id → ours, for all."""
        now = time.time()
        ids: dict[int, int] = {}
        rows = other.execute("SELECT id, key, text, hash, source, meta, created FROM documents ORDER BY id")
        while batch := rows.fetchmany(BATCH):
            placement = self._documents.place([(r[1], r[3]) for r in batch])
            present = placement.present
            result.renamed_keys += placement.renamed
            for (their_id, _, text, digest, source, meta, created), key in zip(
                batch, placement.keys, strict=True
            ):
                if key is not None:
                    present[digest] = int(
                        self.conn.execute(
                            "INSERT INTO documents (key, text, hash, source, meta, created)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            (key, text, digest, source, meta, created or now),
                        ).lastrowid
                        or 0
                    )
                    result.documents_added += 1
                ids[their_id] = present[digest]
        return ids

    def _replace(self, item: Item, mine: _Version, theirs: _Version, result: MergeResult, kind: str) -> None:
        """Put ``theirs`` (spans, status and log) in place of ``mine``."""
        doc_id, layer = item
        for rejected in _rejected(mine.actions):
            self.conn.execute(
                'DELETE FROM suggestion_rejections WHERE doc_id = ? AND layer = ? AND start = ? AND "end" = ?'
                " AND label = ?",
                (doc_id, layer, *rejected),
            )
        for table in ("spans", "actions", "doc_status"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ? AND layer = ?", (doc_id, layer))
        self._write([(doc_id, layer, theirs)], in_progress=False)
        my_keys, their_keys = mine.keys(), theirs.keys()
        result.changed(layer, len(their_keys - my_keys), len(my_keys - their_keys), kind)

    def _conflict(
        self,
        path: Path,
        item: Item,
        mine: _Version,
        theirs: _Version,
        prefer: str,
        reserved: set[str],
        result: MergeResult,
    ) -> None:
        """Both sides changed the layer's document: keep the version that does not stay in the layer as
        a layer of its own (named from its database's file), unless it is kept there already."""
        doc_id, layer = item
        moved, origin = (theirs, path) if prefer == "mine" else (mine, self.path)
        target, held = self._conflict_layer(
            f"{layer}@{layer_name_part(origin.stem)}", doc_id, moved, reserved
        )
        if not held:
            if self.conn.execute(
                "INSERT OR IGNORE INTO layers (name, kind, created) VALUES (?, ?, ?)",
                (target, CONFLICT, time.time()),
            ).rowcount:
                result.layers_added += 1
            self._write([(doc_id, target, moved)], in_progress=True)
            result.changed(target, len(moved.spans), 0, CONFLICT)
        if prefer == "theirs":
            self._replace(item, mine, theirs, result, "annotator")
        elif held:
            result.kept_earlier += 1
            return
        key = self._documents.key_of(doc_id)
        result.conflicts.append(
            MergeConflict(path, key, layer, prefer, target, len(mine.spans), len(theirs.spans))
        )

    def _conflict_layer(
        self, base: str, doc_id: int, version: _Version, reserved: set[str]
    ) -> tuple[str, bool]:
        """The layer to keep ``version`` of the document in: ``base``, else ``base-2``, ``base-3``... the
        first that is not a layer of the other database, not a layer of another kind, and either holds
        this version already (then True) or holds nothing of the document."""
        for n in itertools.count(1):
            name = base if n == 1 else f"{base}-{n}"
            if name in reserved:
                continue
            row = self.conn.execute("SELECT kind FROM layers WHERE name = ?", (name,)).fetchone()
            if row is None:
                return name, False
            if row[0] != CONFLICT:
                continue
            there = _Version.read(self.conn, doc_id, name)
            if there.empty():
                return name, False
            if there.keys() == version.keys() or continues(there, version):
                return name, True
        raise AssertionError("unreachable")

    def _write(self, versions: list[tuple[int, str, _Version]], in_progress: bool) -> None:
        """Insert the spans, statuses and action logs of ``versions`` (none of them here yet) as those of
        their document and layer; ``in_progress``: whatever the status was (a kept conflict)."""
        self.conn.executemany(
            'INSERT INTO spans (doc_id, layer, start, "end", label, kb_id, source, who, created)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, layer, *row) for doc_id, layer, version in versions for row in version.spans],
        )
        statuses = []
        for doc_id, layer, version in versions:
            status = version.status
            if in_progress:
                status = ("in_progress", *status[1:]) if status else ("in_progress", 0.0, time.time())
            if status is not None:
                statuses.append((doc_id, layer, *status))
        self.conn.executemany(
            "INSERT INTO doc_status (doc_id, layer, status, seconds, updated) VALUES (?, ?, ?, ?, ?)",
            statuses,
        )
        self.conn.executemany(
            "INSERT INTO actions (ts, who, layer, doc_id, kind, data, undone) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (ts, who, layer, doc_id, kind, data, undone)
                for doc_id, layer, version in versions
                for ts, who, kind, data, undone in version.actions
            ],
        )
        for doc_id, layer, version in versions:
            self._reject_as_logged(doc_id, layer, version.actions)

    def _reject_as_logged(self, doc_id: int, layer: str, actions: list[ActionRow]) -> None:
        """The proposals the live rejection steps of ``actions`` rejected are rejected here too."""
        now = time.time()
        self.conn.executemany(
            'INSERT OR IGNORE INTO suggestion_rejections (doc_id, layer, start, "end", label, created)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, layer, *rejected, now) for rejected in _rejected(actions)],
        )


LAYER_KINDS = ("annotator", GOLD, CONFLICT)


def check_database(path: Path, other: sqlite3.Connection) -> None:
    """Everything merge would bring in from ``other`` held to the rules an import is: label names, keys
    and colours as ``[labels]`` has them; layer names and document keys without control characters;
    texts as an import stores them; spans inside their texts, of known labels and layers; known statuses.
    The first problem is an error naming the database, before anything is written."""

    def refuse(problem: str) -> AnnotatorError:
        return AnnotatorError(f"cannot merge: {problem}", path)

    for name, key, colour in other.execute("SELECT name, key, colour FROM labels"):
        if (problem := label_problem(name, key, colour)) is not None:
            raise refuse(problem)
    for name, kind in other.execute("SELECT name, kind FROM layers"):
        if (problem := name_problem(name, "layer")) is not None:
            raise refuse(problem)
        if kind not in LAYER_KINDS:
            raise refuse(f"layer {name!r} has the kind {kind!r} (known: {', '.join(LAYER_KINDS)})")
    for key, text, meta in other.execute("SELECT key, text, meta FROM documents"):
        problem = name_problem(key, "document key") or text_problem(text)
        if problem is None and meta is not None:
            try:
                parsed = json.loads(meta)
            except (TypeError, ValueError, RecursionError):
                parsed = None
            if not isinstance(parsed, dict):
                problem = "its meta is not a JSON object"
        if problem is not None:
            raise refuse(problem if problem.startswith("document key") else f"document {key!r}: {problem}")
    bad_span = other.execute(
        'SELECT d.key, s.layer, s.start, s."end", s.label FROM spans s JOIN documents d ON d.id = s.doc_id'
        " WHERE typeof(s.start) != 'integer' OR typeof(s.\"end\") != 'integer' OR s.start < 0"
        ' OR s."end" > length(d.text) OR s.start >= s."end"'
        " OR s.label NOT IN (SELECT name FROM labels) OR s.layer NOT IN (SELECT name FROM layers)"
        " LIMIT 1"
    ).fetchone()
    if bad_span is not None:
        key, layer, start, end, label = bad_span
        raise refuse(
            f"document {key!r}, layer {layer!r}: span {start!r}-{end!r} {label!r} is outside its text"
            " or of a label or layer the database does not define"
        )
    orphan = other.execute(
        "SELECT count(*) FROM spans WHERE doc_id NOT IN (SELECT id FROM documents)"
    ).fetchone()[0]
    if orphan:
        raise refuse(f"{counted(orphan, 'span')} of no document")
    placeholders = ",".join("?" * len(STATUSES))
    bad_status = other.execute(
        f"SELECT status FROM doc_status WHERE status NOT IN ({placeholders}) LIMIT 1", STATUSES
    ).fetchone()
    if bad_status is not None:
        raise refuse(f"a document has the status {bad_status[0]!r} (known: {', '.join(STATUSES)})")


def compare(mine: _Version, theirs: _Version) -> Outcome:
    """Which version of a layer's document to keep: ``same`` spans, ``mine``, ``theirs``, or both
    changed (``conflict``)."""
    my_keys, their_keys = mine.keys(), theirs.keys()
    if my_keys == their_keys:
        return "same"
    if carried_further(mine, theirs):
        return "mine"
    if carried_further(theirs, mine):
        return "theirs"
    if their_keys <= my_keys:
        return "mine"
    if my_keys <= their_keys:
        return "theirs"
    return "conflict"


def carried_further(later: _Version, earlier: _Version) -> bool:
    """Whether ``later`` is ``earlier`` plus more steps: its log starts with all of earlier's steps (each
    live on both sides or undone on both), has more, and taking its further live steps back gives
    earlier's spans."""
    common = len(earlier.actions)
    if len(later.actions) <= common:
        return False
    for a, b in zip(later.actions, earlier.actions, strict=False):
        if a[:4] != b[:4] or (a[4] == 0) != (b[4] == 0):
            return False
    spans = later.keys()
    for *_, data, undone in reversed(later.actions[common:]):
        if undone == 0:
            added, removed = _effect(data)
            spans = (spans - added) | removed
    return spans == earlier.keys()


def continues(there: _Version, version: _Version) -> bool:
    """Whether ``there``'s log starts with all of ``version``'s steps (undone or not): a kept version
    that someone has worked on since."""
    steps = len(version.actions)
    return steps > 0 and [a[:4] for a in there.actions[:steps]] == [a[:4] for a in version.actions]


def _effect(data: str) -> tuple[set[SpanKey], set[SpanKey]]:
    """The spans a logged step added and removed."""
    try:
        step = json.loads(data)
    except ValueError:
        return set(), set()
    if not isinstance(step, dict):
        return set(), set()

    def keys(name: str) -> set[SpanKey]:
        return {(s["start"], s["end"], s["label"], s.get("kb_id")) for s in step.get(name) or ()}

    return keys("added"), keys("removed")


def _rejected(actions: list[ActionRow]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of the proposals the live rejection steps of a log rejected."""
    found: list[tuple[int, int, str]] = []
    for _ts, _who, kind, data, undone in actions:
        if kind != "reject" or undone != 0:
            continue
        try:
            step = json.loads(data)
        except ValueError:
            continue
        if isinstance(step, dict):
            found.extend((s["start"], s["end"], s["label"]) for s in step.get("rejected") or ())
    return found


def layer_name_part(stem: str) -> str:
    """A database's file name (without extension) as the part of a layer name after ``@``: letters,
    digits, ``.``, ``_`` and ``-``."""
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "other"


def _open_other(path: Path, own: Path) -> sqlite3.Connection:
    """A read-only connection to the database at ``path``; an error unless it is another annotator
    database whose schema this annotator knows."""
    if not path.is_file():
        raise AnnotatorError("no such database file", path)
    if own.exists() and path.resolve() == own.resolve():
        raise AnnotatorError("is the database being merged into", path)
    try:
        with path.open("rb"):
            pass
    except OSError as err:
        raise AnnotatorError(err.strerror or str(err), path) from None
    conn = connect_read_only(path)
    try:
        applied = applied_names(conn)
    except sqlite3.DatabaseError:
        conn.close()
        raise AnnotatorError("not an annotator database", path) from None
    newer = newer_names(applied)
    if FIRST not in applied or newer:
        conn.close()
        problem = "newer than this annotator" if newer else "not an annotator database"
        raise AnnotatorError(f"cannot merge: schema {problem}", path)
    return conn


@dataclass
class _Version:
    """One database's version of one layer's document: spans, status and action log."""

    spans: list[SpanRow] = field(default_factory=list)
    status: tuple[str, float, float] | None = None  # status, seconds, updated
    actions: list[ActionRow] = field(default_factory=list)

    @classmethod
    def read(cls, conn: sqlite3.Connection, doc_id: int, layer: str) -> _Version:
        where = (doc_id, layer)
        spans = conn.execute(
            'SELECT start, "end", label, kb_id, source, who, created FROM spans'
            " WHERE doc_id = ? AND layer = ?",
            where,
        ).fetchall()
        status = conn.execute(
            "SELECT status, seconds, updated FROM doc_status WHERE doc_id = ? AND layer = ?", where
        ).fetchone()
        actions = conn.execute(
            "SELECT ts, who, kind, data, undone FROM actions WHERE doc_id = ? AND layer = ? ORDER BY id",
            where,
        ).fetchall()
        return cls(spans, None if status is None else tuple(status), actions)

    def keys(self) -> set[SpanKey]:
        return {row[:4] for row in self.spans}

    def empty(self) -> bool:
        return not self.spans and self.status is None and not self.actions


@dataclass
class _LayerStates:
    """Spans, statuses and action logs of one database per (document, layer), for merging."""

    spans: dict[Item, list[SpanRow]]
    status: dict[Item, tuple[str, float, float]]  # status, seconds, updated
    actions: dict[Item, list[ActionRow]]

    @classmethod
    def read(
        cls,
        conn: sqlite3.Connection,
        map_doc: Callable[[int], int] | None,
        only: set[int] | None = None,
    ) -> _LayerStates:
        """Read everything; ``map_doc`` turns the database's document ids into ours, ``only`` keeps those."""
        states = cls({}, {}, {})

        def key(doc_id: int, layer: str) -> Item | None:
            if map_doc is not None:
                doc_id = map_doc(doc_id)
            return None if only is not None and doc_id not in only else (doc_id, layer)

        for doc_id, layer, *row in conn.execute(
            'SELECT doc_id, layer, start, "end", label, kb_id, source, who, created FROM spans'
        ):
            if (item := key(doc_id, layer)) is not None:
                states.spans.setdefault(item, []).append(tuple(row))
        for doc_id, layer, status, seconds, updated in conn.execute(
            "SELECT doc_id, layer, status, seconds, updated FROM doc_status"
        ):
            if (item := key(doc_id, layer)) is not None:
                states.status[item] = (status, seconds, updated)
        for doc_id, layer, ts, who, kind, data, undone in conn.execute(
            "SELECT doc_id, layer, ts, who, kind, data, undone FROM actions ORDER BY id"
        ):
            if (item := key(doc_id, layer)) is not None:
                states.actions.setdefault(item, []).append((ts, who, kind, data, undone))
        return states

    def keys(self) -> set[Item]:
        return self.spans.keys() | self.status.keys() | self.actions.keys()

    def version(self, item: Item) -> _Version:
        return _Version(self.spans.get(item, []), self.status.get(item), self.actions.get(item, []))
