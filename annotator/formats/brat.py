"""brat standoff: ``KEY.txt`` (the text) beside ``KEY.ann`` (``T1<TAB>LABEL START END<TAB>TEXT`` lines).

KB links are ``N`` lines (``N1<TAB>Reference T1 KB:ID<TAB>TEXT``, see ``written_kb_id``). Offsets are
code points, as brat counts.
A span across line breaks is written as fragments split at them (``START END;START END``), as brat draws
it; reading takes such fragments as one span. A discontinuous span that leaves out other text is refused.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote

from annotator.errors import AnnotatorError
from annotator.formats import ExportDocument, Format, WriteOptions, Written, register
from annotator.formats.reading import Progress, checked_spans, decode, read_whole
from annotator.model import ImportRecord, Span
from annotator.text import OffsetMap, clean_text

SUFFIXES = (".ann",)
CONF_NAME = "annotation.conf"
KB_PREFIX = "KB:"
OVERLAP_RULE = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
_NAMED_DB = re.compile(r"[^\s:%]+:")
_ENCODED = re.compile(r"[%\s]")
_FRAGMENTS = re.compile(r"\d+ \d+(?:;\d+ \d+)*")
# The other kinds of brat annotation (relations, events, attributes, normalizations, equivalences, notes):
# read for N, skipped otherwise, since a span layer has no place for them.
_OTHER_ANNOTATIONS = re.compile(r"(?:[TRNEAM]\d+|\*|#\d*)\t")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` split at line breaks; one fragment when a line break is at either end."""
    piece = text[start:end]
    if "\n" not in piece or piece[0] == "\n" or piece[-1] == "\n":
        return [(start, end)]
    found = []
    offset = start
    for part in piece.split("\n"):
        if part:
            found.append((offset, offset + len(part)))
        offset += len(part) + 1
    return found


def _fragment_text(text: str, frags: Sequence[tuple[int, int]]) -> str:
    return " ".join(text[a:b] for a, b in frags).replace("\n", " ")


def format_annotations(text: str, spans: Sequence[Span]) -> str:
    """The ``.ann`` file of a document: one ``T`` line per span, an ``N`` line per KB link."""
    lines = []
    links: list[str] = []
    for n, span in enumerate(spans, 1):
        frags = fragments(text, span.start, span.end)
        where = ";".join(f"{a} {b}" for a, b in frags)
        shown = _fragment_text(text, frags)
        lines.append(f"T{n}\t{span.label} {where}\t{shown}\n")
        if span.kb_id is not None:
            links.append(f"N{len(links) + 1}\tReference T{n} {written_kb_id(span.kb_id)}\t{shown}\n")
    return "".join(lines + links)


def written_kb_id(kb_id: str) -> str:
    """A KB id as an ``N`` line's ``DB:ID``: as it is when it names its database already
    (``Wikidata:Q473239``), else after ``KB:`` (``KB:Q1``; ``KB:KB:x`` for an id that starts with ``KB:``).

    brat reads the id up to the first space, so ``%`` and whitespace are written percent-encoded (UTF-8),
    as in a URL: ``am mod`` is ``KB:am%20mod``.
    """
    encoded = _ENCODED.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), kb_id)
    named = _NAMED_DB.match(encoded) is not None and not encoded.startswith(KB_PREFIX)
    return encoded if named else KB_PREFIX + encoded


def read_kb_id(written: str) -> str:
    """The KB id of an ``N`` line's ``DB:ID``: ``KB:`` dropped, percent-encoding undone (``written_kb_id``
    the other way round); another database's name is kept (``GeoNames:587084``)."""
    return unquote(written.removeprefix(KB_PREFIX))


def write_document(doc: ExportDocument, options: WriteOptions) -> Written:
    """The document's ``.ann`` file, every span as it is (its ``.txt`` is the text itself)."""
    return Written(format_annotations(doc.text, doc.spans), len(doc.spans))


def annotation_conf(labels: Sequence[str]) -> str:
    """brat's ``annotation.conf`` naming the entity types, so that brat opens the folder as it is, with
    an ``<OVERLAP>`` rule that lets any entity nest in or cross any other (brat's validator reports
    overlapping spans as errors without one)."""
    return (
        "[entities]\n"
        + "".join(f"{label}\n" for label in labels)
        + "[relations]\n"
        + OVERLAP_RULE
        + "[events]\n[attributes]\n"
    )


# --- reading ----------------------------------------------------------------------------------------


def pair(path: Path) -> tuple[Path, Path]:
    """The ``.txt`` and ``.ann`` files of a document, given either."""
    ann = path.with_suffix(".ann")
    txt = path.with_suffix(".txt")
    for needed in (txt, ann):
        if not needed.is_file():
            raise AnnotatorError(f"brat: no {needed.name} beside this file", path)
    return txt, ann


def read_brat(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """One document from a ``.txt``/``.ann`` pair (either may be named).

    ``T`` lines become spans and ``N`` lines their ``kb_id`` (see ``read_kb_id``); relations, events,
    attributes and notes have no place in a span layer and are skipped. The text after the second tab must
    be what the offsets point at (fragments joined by a space, line breaks as spaces).

    Offsets count the text as brat reads it: with universal newlines, so a CRLF line end is one character.
    A file whose offsets count the CR as well (as some other tools write them) is read that way when its
    offsets fit only so.
    """
    txt, ann = pair(path)
    raw_bytes = read_whole(txt)
    raw = decode(raw_bytes, txt)  # without a byte order mark, as the .txt alone is read
    # brat counts a byte order mark as a character: the offsets are checked against the text with it
    bom = "\ufeff" if raw_bytes.startswith(codecs.BOM_UTF8) else ""
    text = clean_text(raw)
    if not text.strip():
        raise AnnotatorError("empty file: no text to import", txt)
    ann_bytes = read_whole(ann)
    if progress is not None:
        progress(len(raw_bytes) + len(ann_bytes))
    lines = decode(ann_bytes, ann).split("\n")
    as_brat_reads = raw.replace("\r\n", "\n").replace("\r", "\n")
    try:
        spans, span_lines = _spans(lines, as_brat_reads, bom, ann)
    except AnnotatorError:
        if as_brat_reads == raw:
            raise
        try:
            spans, span_lines = _spans(lines, raw, bom, ann)
        except AnnotatorError:
            pass
        else:
            yield ImportRecord(text=text, key=txt.stem, source=str(ann), spans=spans, span_lines=span_lines)
            return
        raise
    yield ImportRecord(text=text, key=txt.stem, source=str(ann), spans=spans, span_lines=span_lines)


def _spans(lines: list[str], raw: str, bom: str, ann: Path) -> tuple[list[Span], list[int]]:
    """The spans of an ``.ann`` file's ``lines`` whose offsets count ``raw`` (after ``bom``), moved onto
    the cleaned text, and the line of each."""
    items: list[tuple[int, int, str, str | None]] = []
    span_lines: list[int] = []
    where: dict[str, int] = {}
    links: list[tuple[str, str, int]] = []
    for number, line in enumerate(lines, 1):
        line = line.removesuffix("\r")
        if line.startswith("T"):
            ident, start, end, label = _text_bound(line, bom + raw, ann, number)
            if ident in where:
                raise AnnotatorError(f"{ident} is defined twice", ann, number)
            where[ident] = len(items)
            shift = len(bom)
            items.append((max(start - shift, 0), end - shift, label, None))
            span_lines.append(number)
        elif line.strip() and not _OTHER_ANNOTATIONS.match(line):
            raise AnnotatorError(
                "not a brat annotation line (T, N, R, E, A, M, * or # and a number, then a tab)", ann, number
            )
        elif line.startswith("N"):
            fields = line.split("\t")
            ref = fields[1].split(" ", 2) if len(fields) >= 2 else []
            if len(ref) != 3 or ref[0] != "Reference":
                raise AnnotatorError("expected N<n><TAB>Reference T<n> DB:ID<TAB>TEXT", ann, number)
            links.append((ref[1], read_kb_id(ref[2]), number))
    for target, kb_id, number in links:
        if target not in where:
            raise AnnotatorError(f"the link points at {target}, which is not a text span", ann, number)
        start, end, label, _ = items[where[target]]
        items[where[target]] = (start, end, label, kb_id)
    offsets = OffsetMap(raw) if clean_text(raw) != raw else OffsetMap("")
    spans = [
        checked_spans([item], raw, offsets, ann, number)[0]
        for item, number in zip(items, span_lines, strict=True)
    ]
    return spans, span_lines


def _text_bound(line: str, raw: str, ann: Path, number: int) -> tuple[str, int, int, str]:
    fields = line.split("\t", 2)
    head = fields[1].split(" ", 1) if len(fields) >= 2 else []
    if len(head) != 2 or not head[0] or not _FRAGMENTS.fullmatch(head[1]):
        raise AnnotatorError("expected T<n><TAB>LABEL START END[;START END...]<TAB>TEXT", ann, number)
    if any(len(digits) > 18 for digits in head[1].replace(";", " ").split(" ")):
        raise AnnotatorError(f"{fields[0]}: an offset of more than 18 digits, beyond any text", ann, number)
    frags = [(int(a), int(b)) for a, b in (f.split(" ") for f in head[1].split(";"))]
    start, end = frags[0][0], frags[-1][1]
    if any(not 0 <= a < b <= len(raw) for a, b in frags) or start >= end:
        raise AnnotatorError(
            f"{fields[0]}: offsets {head[1]} are outside the text (length {len(raw)}) or not in order",
            ann,
            number,
        )
    if len(frags) > 1 and frags != fragments(raw, start, end):
        raise AnnotatorError(
            f"{fields[0]}: discontinuous span {head[1]} leaves out text; a span layer holds contiguous"
            " spans only (fragments split only at line breaks are read as one span)",
            ann,
            number,
        )
    if len(fields) == 3:
        expected = _fragment_text(raw, frags)
        if fields[2] != expected:
            raise AnnotatorError(
                f"{fields[0]}: text {fields[2]!r} does not match the text at {head[1]} ({expected!r})",
                ann,
                number,
            )
    return fields[0], start, end, head[0]


def _claims(path: Path) -> bool:
    """An ``.ann`` file, or a ``.txt`` with its ``.ann`` beside."""
    suffix = path.suffix.lower()
    return suffix in SUFFIXES or (suffix == ".txt" and path.with_suffix(".ann").is_file())


def _document_file(path: Path) -> Path:
    return path.with_suffix(".ann")


FORMAT = register(
    Format(
        name="brat",
        read=read_brat,
        suffixes=SUFFIXES,
        claims=_claims,
        document_file=_document_file,
        read_order=4,
        write=write_document,
        writes_folder=True,
        write_order=3,
    )
)
