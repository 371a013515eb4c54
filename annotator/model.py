"""Plain data shared by the core modules and the TUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("ACTOR", "a", "#e5a50a"),
    ("PLACE", "p", "#3584e4"),
    ("EVENT", "e", "#c061cb"),
)
GOLD = "gold"
STATUSES = ("todo", "in_progress", "done")


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
