"""doccano's sequence-labelling JSON Lines: ``{"id", "text", "label": [[start, end, LABEL], ...]}``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats import ExportDocument, Format, WriteOptions, Written, register
from annotator.formats.jsonl import make_record, records, refuse_unread_spans
from annotator.formats.reading import MAX_LINE_BYTES, SNIFF_BYTES, Progress
from annotator.model import ImportRecord, Span

SUFFIXES = (".jsonl", ".ndjson", ".json")


def format_document(key: str, text: str, spans: Sequence[Span]) -> str:
    """One line: every span as it is, in the store's order (start, longest first, label)."""
    record = {"id": key, "text": text, "label": [[s.start, s.end, s.label] for s in spans]}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def read_doccano(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """doccano sequence-labelling exports: ``label`` as ``[start, end, LABEL]`` or ``entities`` objects."""
    for line, record in records(path, progress):
        refuse_unread_spans(record, ("label", "entities"), path, line)
        spans: list[tuple[Any, Any, Any, Any]] | None = None
        if "entities" in record:
            items = record["entities"]
            if not isinstance(items, list) or not all(isinstance(s, dict) for s in items):
                raise AnnotatorError("'entities' must be a list of objects", path, line)
            spans = [(s.get("start_offset"), s.get("end_offset"), s.get("label"), None) for s in items]
        elif "label" in record:
            items = record["label"]
            if not isinstance(items, list) or not all(isinstance(s, list) and len(s) == 3 for s in items):
                raise AnnotatorError("'label' must be a list of [start, end, LABEL] triples", path, line)
            spans = [(s[0], s[1], s[2], None) for s in items]
        layer = record.get("annotator") or record.get("user")
        yield make_record(path, line, record, spans, layer if isinstance(layer, str) else None)


def looks_like_doccano(path: Path) -> bool:
    """True when the first record has doccano's span fields rather than Prodigy's."""
    with path.open("rb") as stream:
        if b"\x00" in stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]:
            return False  # binary: the reader says so
        while raw := stream.readline(MAX_LINE_BYTES + 1):  # bounded: the reader names a longer line
            if len(raw) > MAX_LINE_BYTES or b"\x00" in raw:
                return False
            if raw.strip():
                try:
                    first = json.loads(raw)
                except (ValueError, RecursionError):
                    return False
                return (
                    isinstance(first, dict)
                    and "spans" not in first
                    and ("entities" in first or isinstance(first.get("label"), list))
                )
    return False


def _claims(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and looks_like_doccano(path)


def write_document(doc: ExportDocument, options: WriteOptions) -> Written:
    return Written(format_document(doc.key, doc.text, doc.spans), len(doc.spans))


FORMAT = register(
    Format(
        name="doccano",
        read=read_doccano,
        suffixes=SUFFIXES,
        claims=_claims,
        read_order=2,
        write=write_document,
        file_suffix=".doccano.jsonl",
        part_suffix=".jsonl",
        write_order=2,
    )
)
