"""JSON Lines records: Prodigy/spaCy (``text``, ``id``, ``meta``, ``spans``) and doccano (``label``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats.reading import Progress, checked_spans, lines
from annotator.model import ImportRecord
from annotator.text import OffsetMap, clean_text

SUFFIXES = (".jsonl", ".ndjson", ".json")
_SKIPPED_ANSWERS = frozenset({"reject", "ignore"})


def read_jsonl(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """Prodigy/spaCy records; spans go to the record's ``_annotator_id``/``annotator`` layer if it has one.

    A record with a ``spans`` list (even an empty one) is an annotated document; Prodigy answers
    ``reject`` and ``ignore`` import the text without its spans.
    """
    for line, record in _records(path, progress):
        spans = None
        raw_spans = record.get("spans")
        if raw_spans is not None and record.get("answer") not in _SKIPPED_ANSWERS:
            if not isinstance(raw_spans, list) or not all(isinstance(s, dict) for s in raw_spans):
                raise AnnotatorError("'spans' must be a list of objects", path, line)
            for n, s in enumerate(raw_spans, 1):
                _check_span_text(s, record["text"], n, path, line)
            spans = [(s.get("start"), s.get("end"), s.get("label"), s.get("kb_id")) for s in raw_spans]
        layer = record.get("_annotator_id") or record.get("annotator")
        yield _record(path, line, record, spans, layer if isinstance(layer, str) else None)


def read_doccano(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """doccano sequence-labelling exports: ``label`` as ``[start, end, LABEL]`` or ``entities`` objects."""
    for line, record in _records(path, progress):
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
        yield _record(path, line, record, spans, layer if isinstance(layer, str) else None)


def looks_like_doccano(path: Path) -> bool:
    """True when the first record has doccano's span fields rather than Prodigy's."""
    with path.open("rb") as stream:
        for raw in stream:
            if raw.strip():
                try:
                    first = json.loads(raw)
                except ValueError:
                    return False
                return (
                    isinstance(first, dict)
                    and "spans" not in first
                    and ("entities" in first or isinstance(first.get("label"), list))
                )
    return False


def _records(path: Path, progress: Progress | None) -> Iterator[tuple[int, dict[str, Any]]]:
    count = 0
    with path.open("rb") as stream:
        for line, raw in lines(stream, path, progress):
            try:
                record = json.loads(raw)
            except ValueError as err:
                raise AnnotatorError(f"not JSON ({err})", path, line) from None
            if not isinstance(record, dict):
                raise AnnotatorError(f"expected a JSON object, found {type(record).__name__}", path, line)
            text = record.get("text")
            if not isinstance(text, str):
                raise AnnotatorError("record has no 'text' string", path, line)
            if not text.strip():
                raise AnnotatorError("record's 'text' is empty", path, line)
            count += 1
            yield line, record
    if count == 0:
        raise AnnotatorError("empty file: no records", path)


def _check_span_text(span: dict[str, Any], text: str, n: int, path: Path, line: int) -> None:
    start, end, said = span.get("start"), span.get("end"), span.get("text")
    in_text = type(start) is int and type(end) is int and 0 <= start < end <= len(text)
    if isinstance(said, str) and in_text and text[start:end] != said:
        raise AnnotatorError(
            f"span {n}: text {said!r} does not match the text at {start}-{end} ({text[start:end]!r})",
            path,
            line,
        )


def _record(
    path: Path,
    line: int,
    record: dict[str, Any],
    spans: list[tuple[Any, Any, Any, Any]] | None,
    layer: str | None,
) -> ImportRecord:
    raw_text: str = record["text"]
    text = clean_text(raw_text)
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise AnnotatorError("'meta' must be an object", path, line)
    key = record.get("id")
    if key is None and isinstance(meta, dict):
        key = meta.get("id") or meta.get("key")
    if key is not None and not isinstance(key, str | int):
        raise AnnotatorError(f"'id' must be a string or number, not {key!r}", path, line)
    checked = (
        None
        if spans is None
        else checked_spans(spans, raw_text, OffsetMap(raw_text) if text != raw_text else _SAME, path, line)
    )
    return ImportRecord(
        text=text,
        key=None if key is None else str(key),
        source=str(path),
        line=line,
        meta=meta or {},
        spans=checked,
        layer=layer,
    )


_SAME = OffsetMap("")
