"""What every reader shares: decoding bytes with clear errors, and checking spans against a text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.errors import AnnotatorError
from annotator.model import Span
from annotator.text import OffsetMap

Progress = Callable[[int], None]


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
