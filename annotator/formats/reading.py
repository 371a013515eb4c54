"""What every reader shares: decoding bytes with clear errors, JSON Lines, and checking spans against a
text."""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.errors import AnnotatorError
from annotator.formats import Progress
from annotator.model import Span
from annotator.text import OffsetMap

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_FILE_BYTES",
    "MAX_LINE_BYTES",
    "SNIFF_BYTES",
    "Progress",
    "check_readable",
    "checked_spans",
    "decode",
    "json_objects",
    "lines",
    "raw_lines",
    "read_json_lines",
    "read_whole",
    "refuse_binary",
]

MAX_FILE_BYTES = 4 << 30
"""The largest file import reads (4 GiB): a bound on what one import can take of memory and time."""
MAX_LINE_BYTES = 256 << 20
"""The longest line of a JSON Lines or CoNLL file import reads (256 MiB): one record is read whole."""
MAX_DOCUMENT_BYTES = MAX_LINE_BYTES
"""The largest file read whole as one document (a ``.txt``, a brat pair's files): as one record may be."""
SNIFF_BYTES = 8 << 10
"""How much of a text file's start is looked at before the rest is read: a file of zeros (or UTF-16) is
refused there, not once hundreds of megabytes of it are in memory."""


def check_readable(path: Path) -> None:
    """Refuse what import cannot read to its end: anything but a regular file (a FIFO would wait for a
    writer forever, ``/dev/zero`` never ends), or a file larger than :data:`MAX_FILE_BYTES`."""
    try:
        st = os.stat(path)
    except OSError as err:
        raise AnnotatorError(err.strerror or str(err), path) from None
    if not stat.S_ISREG(st.st_mode):
        raise AnnotatorError("not a regular file (a FIFO, device or socket); import reads files", path)
    if st.st_size > MAX_FILE_BYTES:
        raise AnnotatorError(
            f"{st.st_size} bytes: larger than the {MAX_FILE_BYTES >> 30} GiB one import reads; split it",
            path,
        )
    if not os.access(path, os.R_OK):
        raise AnnotatorError("Permission denied", path)


def refuse_binary(head: bytes, path: Path, numbered: bool) -> None:
    """Refuse a text file by its first bytes: UTF-16 (a byte order mark), or NUL bytes (binary, or a
    file of zeros) named at their line when ``numbered``."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise AnnotatorError("UTF-16 text, not UTF-8: save it as UTF-8", path, 1 if numbered else None)
    nul = head.find(b"\x00")
    if nul >= 0:
        line = head.count(b"\n", 0, nul) + 1 if numbered else None
        raise AnnotatorError("binary file (NUL bytes), not text", path, line)


def read_whole(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a text file read whole (a document; a KB file with ``limit`` MAX_FILE_BYTES): its start
    looked at first (:func:`refuse_binary`), and never more than ``limit`` bytes read."""
    too_big = AnnotatorError(
        f"larger than the {limit >> 20} MiB one document read whole may be; split it", path
    )
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            refuse_binary(head, path, numbered=False)
            size = os.fstat(stream.fileno()).st_size
            if size > limit:
                raise too_big
            # read(n) sets n bytes aside first: ask for what the file holds, not for the bound
            raw = head + stream.read(max(size - len(head), 0) + 1)
    except OSError as err:
        raise AnnotatorError(err.strerror or str(err), path) from None
    if len(raw) > size:  # it grew while read: not what was measured
        raise AnnotatorError("changed while it was read", path)
    return raw


def decode(raw: bytes, path: Path, line: int | None = None) -> str:
    """UTF-8 text of ``raw`` (a leading BOM dropped); a binary or non-UTF-8 file is an error."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and line in (None, 1):
        raise AnnotatorError("UTF-16 text, not UTF-8: save it as UTF-8", path, line)
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


def raw_lines(stream: BinaryIO, path: Path) -> Iterator[tuple[int, bytes]]:
    """Every line of a text file as ``(line number, bytes)``, blank ones too; the file's start looked at
    first (:func:`refuse_binary`: a file of zeros is refused there, not by its first 256 MiB line) and a
    line longer than :data:`MAX_LINE_BYTES` an error."""
    if hasattr(stream, "peek"):
        refuse_binary(stream.peek(SNIFF_BYTES)[:SNIFF_BYTES], path, numbered=True)
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise AnnotatorError(f"line longer than {MAX_LINE_BYTES >> 20} MiB", path, number)
        yield number, raw


def lines(stream: BinaryIO, path: Path, progress: Progress | None) -> Iterator[tuple[int, str]]:
    """Non-blank lines of a text file as ``(line number, text)``, decoded one by one (see
    :func:`raw_lines`)."""
    for number, raw in raw_lines(stream, path):
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
        except RecursionError:
            raise AnnotatorError("not JSON this reads: nested too deep", path, line) from None
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
