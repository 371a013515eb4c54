"""What every reader shares: decoding bytes with clear errors, JSON Lines, and checking spans against a
text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.errors import AnnotatorError
from annotator.formats import Progress
from annotator.model import Span
from annotator.text import OffsetMap

__all__ = ["Progress", "checked_spans", "decode", "json_objects", "lines", "read_json_lines"]


def decode(raw: bytes, path: Path, line: int | None = None) -> str:
    """UTF-8 text of ``raw`` (a leading BOM dropped); a binary or non-UTF-8 file is an error."""
    if b"\x00" in raw:
        raise AnnotatorError("binary file (NUL bytes), not text", path, line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        at = line if line is not None else raw.count(b"\n", 0, err.start) + 1
        raise AnnotatorError(
            f"not UTF-8: byte 0x{raw[err.start]:02x} at column {_column(raw, err.start) + 1}", path, at
        ) from None


def _column(raw: bytes, offset: int) -> int:
    return offset - (raw.rfind(b"\n", 0, offset) + 1)


def lines(stream: BinaryIO, path: Path, progress: Progress | None) -> Iterator[tuple[int, str]]:
    """Non-blank lines of a text file as ``(line number, text)``, decoded one by one."""
    for number, raw in enumerate(stream, 1):
        if progress is not None:
            progress(len(raw))
        if raw.strip():
            yield number, decode(raw, path, number)


def json_objects(numbered: Iterable[tuple[int, str]], path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each ``(line number, text)`` of a JSON Lines file (blank lines left
    out by the caller); a line that is not a JSON object is an error naming it."""
    for line, raw in numbered:
        try:
            record = json.loads(raw)
        except ValueError as err:  # a JSONDecodeError, or a number too long for int()
            why = f"{err.msg} at column {err.colno}" if isinstance(err, json.JSONDecodeError) else str(err)
            raise AnnotatorError(f"not JSON: {why}", path, line) from None
        if not isinstance(record, dict):
            raise AnnotatorError(f"expected a JSON object, found {type(record).__name__}", path, line)
        yield line, record


def read_json_lines(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of the JSON Lines file ``path``, read as it goes."""
    with path.open("rb") as stream:
        yield from json_objects(lines(stream, path, progress), path)


def checked_spans(
    items: list[tuple[Any, Any, Any, Any]], raw_text: str, offsets: OffsetMap, path: Path, line: int | None
) -> list[Span]:
    """Spans ``(start, end, label, kb_id)`` checked against the raw text and moved onto the cleaned one."""
    spans = []
    for n, (start, end, label, kb_id) in enumerate(items, 1):
        what = f"span {n}"
        if type(start) is not int or type(end) is not int:
            raise AnnotatorError(
                f"{what}: start and end must be integers, not {start!r} and {end!r}", path, line
            )
        if not isinstance(label, str) or not label:
            raise AnnotatorError(f"{what}: label must be a non-empty string, not {label!r}", path, line)
        if not 0 <= start < end <= len(raw_text):
            raise AnnotatorError(
                f"{what} ({start}, {end}, {label}) is outside the text (length {len(raw_text)}) "
                "or its start is not before its end",
                path,
                line,
            )
        if kb_id is not None and not isinstance(kb_id, str | int):
            raise AnnotatorError(f"{what}: kb_id must be a string, not {kb_id!r}", path, line)
        spans.append(
            Span(offsets(start), offsets(end), label, None if kb_id is None else str(kb_id), "import")
        )
    return spans
