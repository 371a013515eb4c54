"""Plain data shared by the core modules and the TUI: every record that crosses a layer's boundary."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from annotator.errors import AnnotatorError

DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("ACTOR", "a", "#e69f00"),
    ("PLACE", "p", "#56b4e9"),
    ("EVENT", "e", "#009e73"),
)
"""Okabe and Ito's colours for colour-blind readers: orange, sky blue, bluish green stay apart under
protanopia and deuteranopia (the former blue and purple did not); the label's name shows beside them."""
GOLD = "gold"
STATUSES = ("todo", "in_progress", "done")
SpanKey = tuple[int, int, str]
"""``(start, end, label)``: what agreement compares (kb_id and source do not count)."""
KbRow = tuple[str, str, str, list[str], str | None, float]
"""One KB entry as the index reads it: ``(kb_id, name, label, aliases, description, prominence)``."""
LearnedMention = tuple[str, str, str | None, int]
"""``(text, label, kb_id, count)``: how many saved spans gave ``text`` that label and KB id."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    kb_id: str | None = None
    source: str = "manual"
    id: int | None = None


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    colour: str


def check_label(
    label: str, known: Collection[str], where: str | Path | None, line: int | None = None
) -> None:
    """Refuse a label outside the label set ``known``: an error naming ``where`` (and ``line``) and listing
    the known labels, a list or tuple in its own order (the project's, as configured), any other
    collection sorted."""
    if label not in known:
        listed = known if isinstance(known, Sequence) else sorted(known)
        raise AnnotatorError(f"unknown label {label!r} (known: {', '.join(listed)})", where, line)


_LABEL_NAME = re.compile(r"^[^\W_][\w-]*$")
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def label_problem(name: object, key: object, colour: object) -> str | None:
    """What is wrong with a label definition (name, key, colour), or None: the rules ``[labels]`` in
    annotator.toml is held to, and everything a merge brings in."""
    if not isinstance(name, str) or not _LABEL_NAME.match(name):
        return f"label name {name!r}: letters, digits, - and _ only (it becomes CoNLL tags)"
    if not isinstance(key, str) or len(key) != 1 or not key.isprintable() or key.isdigit() or key == " ":
        return f"{name}: key must be one letter or sign (the digits 1-9 go by position)"
    from rich.color import Color, ColorParseError

    try:
        Color.parse(colour)
    except (ColorParseError, AttributeError, TypeError):
        return f'{name}: colour {colour!r} is not a colour (say "#3584e4")'
    return None


def text_problem(text: object) -> str | None:
    """What keeps ``text`` from being a document's stored text, or None: a non-empty string without the
    control characters an import removes (``text.clean_text``) or lone surrogates."""
    if not isinstance(text, str) or not text.strip():
        return "its text is empty or not a string"
    found = _NOT_IN_TEXT.search(text)
    if found is not None or "\r" in text:
        char = found.group() if found is not None else "\r"
        return f"its text holds {char!r} at {text.index(char)}, which an import would have removed"
    return None


def name_problem(name: object, what: str) -> str | None:
    """What is wrong with a document key or layer name, or None: a non-empty string without control
    characters or lone surrogates."""
    if not isinstance(name, str) or not name.strip():
        return f"{what} {name!r} is empty or not a string"
    found = _NOT_IN_NAME.search(name)
    if found is not None:
        return f"{what} {name!r} holds the control character {found.group()!r}"
    return None


@dataclass(frozen=True)
class Document:
    id: int
    key: str
    text: str
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportRecord:
    """One document read from a file, its text already cleaned and its spans on the cleaned text."""

    text: str
    key: str | None
    source: str
    line: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] | None = None
    layer: str | None = None
    span_lines: list[int] | None = None  # the line each span is on, where a record spans lines (CoNLL, brat)


@dataclass(frozen=True)
class KbEntry:
    """One knowledge-base entity: its canonical name, its other names, and how well known it is.

    ``prominence`` orders entities whose names match equally well (a population for places); ``line`` is
    where a file gave the entry, for error messages.
    """

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    kb_id: str | None = None
    description: str | None = None
    source: str | None = None
    prominence: float = 0.0
    line: int | None = None


@dataclass
class ImportResult:
    """What an import added to the store, and what it found there already."""

    documents_added: int = 0
    documents_present: int = 0
    spans_added: int = 0
    renamed_keys: int = 0


class ExportRow(NamedTuple):
    """One document as the export reads it: its spans in one layer and its cached tokens if any."""

    doc_id: int
    key: str
    text: str
    meta: str | None
    tokens: bytes | None
    sentences: bytes | None
    spans: list[Span]


@dataclass(frozen=True)
class FinishedDocument:
    """One document and the spans of every annotator layer that finished it (possibly none)."""

    doc_id: int
    key: str
    text: str
    layers: dict[str, list[SpanKey]]
    links: dict[str, dict[SpanKey, str]] = field(default_factory=dict)
    """Layer → its spans linked to a KB entry → the entry's ``kb_id`` (an unlinked span is absent)."""


class ReviewCounts(NamedTuple):
    """One document two or more annotator layers finished, its spans counted without reading them: the
    figures ``agreement.review_order`` computes the review order and each document's agreement from.

    Over the document's distinct spans ``(start, end, label)``, each held by ``c`` of the ``layers``
    finished layers: ``held`` is Σc, ``shared`` Σc(c-1), ``partial`` how many are not in every layer or
    are in every layer with different KB links (a ``link`` disagreement).
    """

    doc_id: int
    key: str
    layers: int
    shared: int
    held: int
    partial: int


CONFLICT = "conflict"
"""The kind of a layer that holds another database's version of a layer's documents, kept by ``merge``
where both databases changed them, for review: its documents come in progress, not done, so no agreement
figure counts it as an annotator."""


@dataclass
class MergeConflict:
    """One document of one layer that both databases changed: one version stays in ``layer``, the other
    is kept as layer ``moved_to`` (of kind :data:`CONFLICT`)."""

    source: Path
    doc: str
    layer: str
    kept: str  # "mine" | "theirs": whose version stays in ``layer``
    moved_to: str
    mine_spans: int
    theirs_spans: int


@dataclass
class LayerChange:
    """What merging did to one layer: documents written, spans added and spans removed."""

    documents: int = 0
    spans_added: int = 0
    spans_removed: int = 0
    kind: str = "annotator"


@dataclass
class MergeResult:
    """What merging other databases brought in (or, in a dry run, would bring in)."""

    documents_added: int = 0
    labels_added: int = 0
    layers_added: int = 0
    layer_documents_copied: int = 0
    spans_added: int = 0
    spans_removed: int = 0
    """Spans the other side removed later, where this side had not changed the document since."""
    statuses_updated: int = 0
    conflicts: list[MergeConflict] = field(default_factory=list)
    kept_earlier: int = 0
    """Conflicts whose other version an earlier merge already kept as a layer of its own."""
    renamed_keys: int = 0
    models_added: int = 0
    """Proposal models the other side trained that this database lacked (both sides' are kept)."""
    layers: dict[str, LayerChange] = field(default_factory=dict)
    dry_run: bool = False

    def changed(self, layer: str, added: int, removed: int, kind: str = "annotator") -> None:
        """Count one layer document written, with the spans it gained and lost."""
        change = self.layers.setdefault(layer, LayerChange(kind=kind))
        change.documents += 1
        change.spans_added += added
        change.spans_removed += removed
        self.layer_documents_copied += 1
        self.spans_added += added
        self.spans_removed += removed


@dataclass(frozen=True)
class StoredModel:
    """A proposal model as the database keeps it: whose it is, its bytes (``kind`` says their format),
    the layers and how many documents and tokens it was trained on, its held-out scores and those of the
    model it replaced on the same documents (``baseline``), as JSON-ready dicts, and the digests of the
    texts it was trained on (``seen``; None for a model stored before they were kept)."""

    user: str
    kind: str
    data: bytes
    digest: str
    trained_from: tuple[str, ...]
    documents: int
    tokens: int
    scores: dict[str, Any] | None
    baseline: dict[str, Any] | None
    created: float
    id: int | None = None
    seen: frozenset[str] | None = None


@dataclass
class AssignmentChange:
    """What ``annotator assign`` did: every document's annotators before and after, for ``users``."""

    users: list[str]
    before: dict[int, list[str]]
    after: dict[int, list[str]]

    def loads(self) -> dict[str, int]:
        """Documents per user after, in the order of ``users``."""
        loads = {name: 0 for name in self.users}
        for names in self.after.values():
            for name in names:
                loads[name] += 1
        return loads

    def added_and_removed(self) -> tuple[int, int]:
        """How many (document, user) assignments are new, and how many were taken away."""
        old = {(doc_id, name) for doc_id, names in self.before.items() for name in names}
        new = {(doc_id, name) for doc_id, names in self.after.items() for name in names}
        return len(new - old), len(old - new)
