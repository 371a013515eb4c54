"""File formats: one module per format, reading and writing side by side, each registering a `Format`.

The registry is the one place that knows the formats: the command line's ``--format`` choices, import's
detection of a file's format (by its name, then its content) and export's dispatch all ask it. A new
format is one new module in this package that calls `register`; nothing else names it.

This package imports no format module until the registry is first asked (they load the tokenizer), so
that the command line starts without them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from annotator.errors import AnnotatorError
from annotator.model import ImportRecord, Span

if TYPE_CHECKING:
    from annotator.text import Token

Progress = Callable[[int], None]  # bytes just read
Reader = Callable[[Path, Progress | None], Iterator[ImportRecord]]


@dataclass(frozen=True)
class WriteOptions:
    """What an export asks of every document's writer: the layer written, and CoNLL's tags and columns."""

    layer: str
    scheme: str = "iob2"
    columns: int = 2


@dataclass(frozen=True)
class ExportDocument:
    """One document as a writer gets it: ``tokens`` and ``sentence_starts`` are empty unless the format
    ``needs_tokens``; ``meta`` is the stored JSON object, or None."""

    key: str
    text: str
    meta: str | None
    spans: list[Span]
    tokens: list[Token]
    sentence_starts: Sequence[int]


@dataclass(frozen=True)
class SpanNote:
    """What became of a span that could not be written as it is.

    ``kind`` is ``widened`` (written on the whole tokens ``start``-``end``), ``empty`` (holds no token;
    dropped) or ``overlap`` (dropped: it overlaps ``kept``, which is longer or comes first).
    """

    kind: str
    span: Span
    start: int = 0
    end: int = 0
    kept: Span | None = None


@dataclass(frozen=True)
class Written:
    """A document as written: its text (for a format that writes a folder of pairs, the annotation file
    beside the document's text), how many spans it holds, and a note per span not written as it is."""

    text: str
    spans: int
    notes: Sequence[SpanNote] = ()


Writer = Callable[[ExportDocument, WriteOptions], Written]


class Collector(Protocol):
    """The writer of a format whose file is one whole, not a document after another (spaCy's ``DocBin``):
    documents are added one at a time, and the file's bytes come once all are in."""

    def add(self, doc: ExportDocument) -> Written:
        """Take one document; ``Written.text`` is unused (the bytes come from ``finish``)."""
        ...

    def finish(self) -> bytes: ...


Collect = Callable[[WriteOptions], Collector]


@dataclass(frozen=True)
class Format:
    """A file format: how import reads it, how export writes it, or both.

    Reading: ``suffixes`` are the file names it reads (and what a folder import looks for); ``claims``,
    when given, decides instead whether a file is in this format (doccano's JSON Lines share Prodigy's
    suffixes; a brat ``.txt`` is one only with its ``.ann`` beside); ``document_file`` names the file that
    stands for a document read from several (brat's ``.ann``), so that it is read once.

    Writing: one file named ``LAYER`` + ``file_suffix`` (``train`` + ``part_suffix`` in a split folder), or
    with ``writes_folder`` a folder of ``KEY.txt``/``KEY.ann`` pairs; ``variant`` names written options
    that change the default file name (CoNLL's ``bilou``). ``write`` gives each document's text as it
    comes; ``collect`` instead makes a ``Collector`` per file, for a binary file written whole at the end.

    ``read_order`` and ``write_order`` place it in the lists of formats that read and that write.
    """

    name: str
    read: Reader | None = None
    suffixes: tuple[str, ...] = ()
    claims: Callable[[Path], bool] | None = None
    document_file: Callable[[Path], Path] | None = None
    read_order: int = 0
    write: Writer | None = None
    collect: Collect | None = None
    needs_tokens: bool = False
    file_suffix: str = ""
    part_suffix: str = ""
    writes_folder: bool = False
    variant: Callable[[WriteOptions], str] | None = None
    write_order: int = 0


_REGISTRY: dict[str, Format] = {}
_loaded = False


def register(fmt: Format) -> Format:
    """Add ``fmt`` to the registry (a format module calls this once, when it is imported)."""
    if fmt.name in _REGISTRY:
        raise ValueError(f"two formats named {fmt.name!r}")
    _REGISTRY[fmt.name] = fmt
    return fmt


def _load() -> dict[str, Format]:
    """The registry, after importing every module of this package once (each format registers itself)."""
    global _loaded
    if not _loaded:
        for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
            importlib.import_module(f"{__name__}.{module}")
        _loaded = True
    return _REGISTRY


def readers() -> list[Format]:
    """The formats import reads, in their listed order."""
    return sorted((f for f in _load().values() if f.read is not None), key=lambda f: f.read_order)


def writers() -> list[Format]:
    """The formats export writes, in their listed order."""
    return sorted(
        (f for f in _load().values() if f.write is not None or f.collect is not None),
        key=lambda f: f.write_order,
    )


def reader_names() -> list[str]:
    return [f.name for f in readers()]


def writer_names() -> list[str]:
    return [f.name for f in writers()]


def get(name: str) -> Format:
    """The format named ``name``; an unknown name is a ``KeyError`` (the command line offers only known
    names)."""
    return _load()[name]


def detect(path: Path) -> Format:
    """The format of ``path``: the first whose ``claims`` takes it, else the one reading its suffix."""
    found = readers()
    for fmt in found:
        if fmt.claims is not None and fmt.claims(path):
            return fmt
    suffix = path.suffix.lower()
    for fmt in found:
        if fmt.claims is None and suffix in fmt.suffixes:
            return fmt
    raise AnnotatorError(
        f"cannot tell the format from the name; use --format ({', '.join(f.name for f in found)})", path
    )
