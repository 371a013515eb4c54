"""CoNLL-2003 layout: a token and its tag a line, a blank line between sentences, ``-DOCSTART-`` per document.

Writing: spans become whole-token entities without overlaps (``place_spans``), tagged IOB2 or BILOU.
Reading: IOB1 (CoNLL-2003's own data), IOB2, BILOU and BIOES; the text is rebuilt from the tokens with one
space between tokens and a line break between sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats import ExportDocument, Format, SpanNote, WriteOptions, Written, register
from annotator.formats.reading import Progress, decode, raw_lines
from annotator.model import ImportRecord, Span
from annotator.spans import longest_first, overlaps
from annotator.text import Token, clean_text, token_range

SUFFIXES = (".conll",)
SCHEMES = ("iob2", "bilou")
# The document-start line has as many fields as every token line (conlleval refuses a file otherwise, and
# flair's ColumnCorpus then finds no tag column): in four columns it is the exact line spaCy's converter
# splits documents on; in two, ``-DOCSTART- O`` (spaCy's converter knows no two-column form).
DOCSTARTS = {2: "-DOCSTART- O", 4: "-DOCSTART- -X- O O"}
_COLUMN_SEPARATORS = {2: " ", 4: " _ _ "}
_SPLIT = re.compile(r"[ \t]+")
_BREAKS_A_TOKEN = re.compile(r"[ \t\n]")
# Prefixes as read: BIOES's S- and E- are BILOU's U- and L-.
_PREFIXES = {"B": "B", "I": "I", "L": "L", "U": "U", "E": "L", "S": "U"}


@dataclass(frozen=True)
class Entity:
    """A span on whole tokens: token indices ``[first, last)``."""

    first: int
    last: int
    label: str


def place_spans(tokens: Sequence[Token], spans: Sequence[Span]) -> tuple[list[Entity], list[SpanNote]]:
    """Spans as whole-token entities in token order, and a note for each span not written as it is.

    A span off token boundaries is widened to the tokens it touches. Of spans overlapping after widening,
    the longest as annotated (in characters) is kept; on a tie the longest as widened, then the earlier,
    then the label first in alphabetical order.
    """
    notes: list[SpanNote] = []
    candidates: list[tuple[int, int, int, str, Span]] = []
    for span in spans:
        found = token_range(tokens, span.start, span.end)
        if found is None:
            notes.append(SpanNote("empty", span))
            continue
        first, last = found
        start, end = tokens[first][0], tokens[last - 1][1]
        if (start, end) != (span.start, span.end):
            notes.append(SpanNote("widened", span, start, end))
        candidates.append((first, last, end - start, span.label, span))
    if not _overlapping(candidates):
        return [Entity(first, last, label) for first, last, _, label, _ in candidates], notes
    owner: dict[int, Span] = {}
    kept: list[Entity] = []
    for first, last, _, label, span in sorted(candidates, key=_precedence):
        taken = next((owner[i] for i in range(first, last) if i in owner), None)
        if taken is not None:
            notes.append(SpanNote("overlap", span, kept=taken))
            continue
        owner.update(dict.fromkeys(range(first, last), span))
        kept.append(Entity(first, last, label))
    kept.sort(key=lambda e: e.first)
    return kept, notes


def _precedence(candidate: tuple[int, int, int, str, Span]) -> tuple[int, int, int, str]:
    """The longest as annotated wins, as everywhere (``spans.longest_first``); its ties go first to the
    longest as widened, then to the earlier first token (not ``spans.span_precedence``'s earlier start)."""
    first, _, widened, label, span = candidate
    return (longest_first(span.start, span.end), -widened, first, label)


def _overlapping(candidates: list[tuple[int, int, int, str, Span]]) -> bool:
    ordered = sorted(candidates, key=lambda c: c[0])
    return any(overlaps(a[0], a[1], b[0], b[1]) for a, b in pairwise(ordered))


def tags(count: int, entities: Sequence[Entity], scheme: str) -> list[str]:
    """One tag per token: IOB2 (``B-`` starts every entity) or BILOU (spaCy's BILUO)."""
    out = ["O"] * count
    bilou = scheme == "bilou"
    for e in entities:
        if bilou and e.last - e.first == 1:
            out[e.first] = "U-" + e.label
            continue
        out[e.first] = "B-" + e.label
        inside = "I-" + e.label
        for i in range(e.first + 1, e.last):
            out[i] = inside
        if bilou:
            out[e.last - 1] = "L-" + e.label
    return out


def format_document(
    text: str,
    tokens: Sequence[Token],
    sentence_starts: Sequence[int],
    entities: Sequence[Entity],
    scheme: str = "iob2",
    columns: int = 2,
) -> str:
    """A document in CoNLL layout: ``-DOCSTART-``, a blank line, then its sentences each followed by one.

    A sentence boundary inside an entity is not written (the sentences are joined), so that no entity is
    cut in two. A token holding a space, tab or line break (only a few grapheme clusters can) has them
    written as ``_``, since the layout could not be read back otherwise.
    """
    sep = _COLUMN_SEPARATORS[columns]
    tagged = tags(len(tokens), entities, scheme)
    lines = [text[s:e] + sep + t for (s, e), t in zip(tokens, tagged, strict=True)]
    joined = "\n".join(lines)  # a token holding a space, tab or line break shows in the counts
    if (
        joined.count(" ") != len(lines) * sep.count(" ")
        or joined.count("\n") != len(lines) - 1
        or "\t" in joined
    ):
        lines = [
            _BREAKS_A_TOKEN.sub("_", text[s:e]) + sep + t for (s, e), t in zip(tokens, tagged, strict=True)
        ]
    inside: set[int] = set()
    for e in entities:
        inside.update(range(e.first + 1, e.last))
    bounds = [0, *(b for b in sentence_starts if b and b not in inside), len(lines)]
    body = "".join("\n".join(lines[a:b]) + "\n\n" for a, b in pairwise(bounds) if b > a)
    return DOCSTARTS[columns] + "\n\n" + body


def write_document(doc: ExportDocument, options: WriteOptions) -> Written:
    """A document on whole tokens: its spans placed (``place_spans``), then tagged."""
    entities, notes = place_spans(doc.tokens, doc.spans)
    text = format_document(
        doc.text, doc.tokens, doc.sentence_starts, entities, options.scheme, options.columns
    )
    return Written(text, len(entities), notes)


def _variant(options: WriteOptions) -> str:
    return "bilou" if options.scheme == "bilou" else ""


# --- reading ----------------------------------------------------------------------------------------


class _Document:
    """A document being read: its text so far, its spans, where it started."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.parts: list[str] = []
        self.size = 0
        self.spans: list[Span] = []
        self.span_lines: list[int] = []  # the line of each span's first token
        self.sentence: list[tuple[int, int, str, int]] = []  # (start, end, tag, line) of each token

    def add_token(self, word: str, tag: str, line: int) -> None:
        if self.sentence:
            self.parts.append(" ")
            self.size += 1
        elif self.parts:
            self.parts.append("\n")
            self.size += 1
        self.parts.append(word)
        self.sentence.append((self.size, self.size + len(word), tag, line))
        self.size += len(word)

    def end_sentence(self, path: Path) -> None:
        for span, line in _entities(self.sentence, path):
            self.spans.append(span)
            self.span_lines.append(line)
        self.sentence = []

    def record(self, path: Path) -> ImportRecord:
        return ImportRecord(
            text="".join(self.parts),
            key=None,
            source=str(path),
            line=self.line,
            spans=self.spans,
            span_lines=self.span_lines,
        )


def read_conll(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """Documents from a CoNLL file: columns split by spaces or tabs, the first the token, the last the tag.

    Every token line has the same number of columns (at least two). Tags are read as IOB1, IOB2, BILOU or
    BIOES alike: ``B-``/``U-`` start an entity, ``I-`` continues one of its label or, after ``O`` or
    another label, starts one (IOB1, as in CoNLL-2003's own files), ``L-`` ends one.
    """
    doc = _Document(1)
    columns: tuple[int, int] | None = None  # (count, line where it was set)
    found = 0
    with path.open("rb") as stream:
        for number, raw in raw_lines(stream, path):
            if progress is not None:
                progress(len(raw))
            line = clean_text(decode(raw, path, number)).strip(" \t\n")
            if not line:
                doc.end_sentence(path)
                continue
            fields = _SPLIT.split(line)
            if fields[0] == "-DOCSTART-":
                doc.end_sentence(path)
                if doc.parts:
                    found += 1
                    yield doc.record(path)
                doc = _Document(number)
                continue
            if columns is None:
                if len(fields) < 2:
                    raise AnnotatorError(
                        "expected a token and its tag separated by a space or tab, found one column",
                        path,
                        number,
                    )
                columns = (len(fields), number)
            elif len(fields) != columns[0]:
                raise AnnotatorError(
                    f"{len(fields)} columns where line {columns[1]} has {columns[0]}", path, number
                )
            doc.add_token(fields[0], fields[-1], number)
    doc.end_sentence(path)
    if doc.parts:
        found += 1
        yield doc.record(path)
    if not found:
        raise AnnotatorError("empty file: no tokens", path)


def _entities(sentence: list[tuple[int, int, str, int]], path: Path) -> Iterator[tuple[Span, int]]:
    """The sentence's entities, each with the line of its first token."""
    open_label: str | None = None
    open_start = 0
    open_line = 0
    last_end = 0
    for start, end, tag, line in sentence:
        if tag == "O":
            prefix, label = "O", ""
        else:
            prefix = _PREFIXES.get(tag[:1], "")
            label = tag[2:]
            if not prefix or tag[1:2] != "-" or not label:
                raise AnnotatorError(
                    f"tag {tag!r} is neither O nor B-, I-, L-, U-, E- or S- with a label", path, line
                )
        if open_label is not None and (prefix in ("O", "B", "U") or label != open_label):
            if prefix == "L":
                raise AnnotatorError(f"{tag} ends an entity of another label ({open_label})", path, line)
            yield Span(open_start, last_end, open_label, source="import"), open_line
            open_label = None
        if prefix == "L" and open_label is None:
            raise AnnotatorError(f"{tag} ends an entity that no B-{label} or I-{label} began", path, line)
        if open_label is None and prefix != "O":
            open_label, open_start, open_line = label, start, line
        last_end = end
        if prefix in ("L", "U"):
            yield Span(open_start, end, label, source="import"), open_line
            open_label = None
    if open_label is not None:
        yield Span(open_start, last_end, open_label, source="import"), open_line


FORMAT = register(
    Format(
        name="conll",
        read=read_conll,
        suffixes=SUFFIXES,
        read_order=3,
        write=write_document,
        needs_tokens=True,
        file_suffix=".conll",
        part_suffix=".conll",
        variant=_variant,
        write_order=0,
    )
)
