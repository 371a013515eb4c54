"""Prodigy/spaCy JSON Lines: ``text``, ``id``, ``meta``, ``spans`` (and ``tokens`` in what we write); spaCy's
``Doc.to_json()`` lines (``ents``, and ``spans`` as span groups) too.

The record reading here is shared with doccano's JSON Lines (formats/doccano.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring as _quoted  # json.dumps of a str, in C
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats import ExportDocument, Format, WriteOptions, Written, register
from annotator.formats.reading import Progress, checked_spans, read_json_lines
from annotator.model import ImportRecord, Span
from annotator.text import OffsetMap, Token, clean_text, token_range

SUFFIXES = (".jsonl", ".ndjson", ".json")
_BOOLEANS = ("false", "true")
_SKIPPED_ANSWERS = frozenset({"reject", "ignore"})


def read_jsonl(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """Prodigy/spaCy records and ``Doc.to_json()`` lines (``record_spans``); spans go to the record's
    ``_annotator_id``/``annotator`` layer if it has one.

    A record with a ``spans`` list (even an empty one) is an annotated document; Prodigy answers
    ``reject`` and ``ignore`` import the text without its spans.
    """
    for line, record in records(path, progress):
        refuse_unread_spans(record, ("spans", "ents"), path, line)
        spans = None
        if record.get("answer") not in _SKIPPED_ANSWERS:
            spans = record_spans(record, path, line)
        layer = record.get("_annotator_id") or record.get("annotator")
        yield make_record(path, line, record, spans, layer if isinstance(layer, str) else None)


def record_spans(record: dict[str, Any], path: Path, line: int) -> list[tuple[Any, Any, Any, Any]] | None:
    """``(start, end, label, kb_id)`` of a record's spans: Prodigy's ``spans`` list, or spaCy's
    ``Doc.to_json()`` ``ents`` and ``spans`` (span groups by name); None when it has no span key.

    A span in several places (an entity that is also in a span group) is read once, with the KB id that
    any of them gives it (spaCy writes ``""`` for none); anything else under those keys is an error.
    """
    groups: list[tuple[str, Any]] = []
    if "ents" in record:
        groups.append(("'ents'", record["ents"]))
    raw_spans = record.get("spans")
    if isinstance(raw_spans, dict):
        groups.extend((f"span group {name!r}", group) for name, group in raw_spans.items())
    elif raw_spans is not None:
        groups.append(("'spans'", raw_spans))
    if not groups:
        return None
    found: dict[tuple[Any, Any, Any], Any] = {}
    for where, items in groups:
        if not isinstance(items, list) or not all(isinstance(s, dict) for s in items):
            raise AnnotatorError(f"{where} must be a list of objects", path, line)
        for n, item in enumerate(items, 1):
            _check_span_text(item, record["text"], n, path, line)
            key = (item.get("start"), item.get("end"), item.get("label"))
            if not all(isinstance(v, int | str) and not isinstance(v, bool) for v in key):
                raise AnnotatorError(
                    f"{where}, span {n}: needs integer 'start' and 'end' and a 'label'", path, line
                )
            kb_id = item.get("kb_id") or None  # spaCy's "" is no link
            found[key] = found.get(key) or kb_id
    return [(start, end, label, kb_id) for (start, end, label), kb_id in found.items()]


def records(path: Path, progress: Progress | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, record)`` for each JSON object with a non-empty ``text``."""
    count = 0
    for line, record in read_json_lines(path, progress):
        text = record.get("text")
        if not isinstance(text, str):
            raise AnnotatorError("record has no 'text' string", path, line)
        if not text.strip():
            raise AnnotatorError("record's 'text' is empty", path, line)
        count += 1
        yield line, record
    if count == 0:
        raise AnnotatorError("empty file: no records", path)


# Keys that hold a record's spans in one JSON Lines format or another (doccano's "labels" in some versions).
SPAN_KEYS = ("spans", "ents", "label", "labels", "entities")
_READER_NAMES = {"spans": "the Prodigy/spaCy reader (--format jsonl)", "label": "the doccano reader"}


def refuse_unread_spans(record: dict[str, Any], read: tuple[str, ...], path: Path, line: int) -> None:
    """A list or object under a span key the reader does not read is an error rather than spans silently
    dropped (a Prodigy file forced through the doccano reader, or the other way round)."""
    for key in SPAN_KEYS:
        if key not in read and isinstance(record.get(key), list | dict):
            reader = _READER_NAMES[read[0]]
            wanted = " or ".join(repr(k) for k in read)
            raise AnnotatorError(
                f"record has spans under {key!r}, which {reader} does not read (it reads {wanted});"
                " choose the reader with --format",
                path,
                line,
            )


def _check_span_text(span: dict[str, Any], text: str, n: int, path: Path, line: int) -> None:
    start, end, said = span.get("start"), span.get("end"), span.get("text")
    in_text = type(start) is int and type(end) is int and 0 <= start < end <= len(text)
    if isinstance(said, str) and in_text and text[start:end] != said:
        raise AnnotatorError(
            f"span {n}: text {said!r} does not match the text at {start}-{end} ({text[start:end]!r})",
            path,
            line,
        )


def make_record(
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
        if meta.get("key") is not None:  # where our own export keeps the document key
            meta = {k: v for k, v in meta.items() if k != "key"}
            key = record["meta"]["key"]
        else:
            key = meta.get("id")
    if key is not None and (isinstance(key, bool) or not isinstance(key, str | int)):
        written = json.dumps(key, ensure_ascii=False)  # as the file spells it: true, [1, 2]
        raise AnnotatorError(f"'id' must be a string or number, not {written}", path, line)
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


# --- writing ----------------------------------------------------------------------------------------


def format_document(
    key: str,
    text: str,
    meta: dict[str, Any],
    tokens: Sequence[Token],
    spans: Sequence[Span],
    layer: str,
) -> str:
    """One Prodigy/spaCy record: ``text``, ``meta`` with the key, ``tokens``, ``spans``, ``_annotator_id``.

    The tokens are spaCy's (see ``spacy_tokens``), so that ``Doc(vocab, words, spaces)`` rebuilds the text.
    Every span is written as it is, always with the same keys (so that schema-inferring readers such as
    Hugging Face ``datasets`` load any split): ``token_start`` and ``token_end`` (inclusive, as Prodigy has
    it) name the tokens it touches, null for a span that holds no token; ``kb_id`` is null where unlinked.
    The tokens and spans are formatted here rather than by ``json.dumps`` (the same bytes, 2.5 times as
    fast: they are most of an export's bytes).
    """
    written, ids = spacy_tokens(text, tokens)
    token_items = ",".join(
        [
            f'{{"text":{_quoted(text[s:e])},"start":{s},"end":{e},"id":{i},"ws":{_BOOLEANS[ws]}}}'
            for i, (s, e, ws) in enumerate(written)
        ]
    )
    span_items = []
    for span in spans:
        found = token_range(tokens, span.start, span.end)
        first, last = ("null", "null") if found is None else (ids[found[0]], ids[found[1] - 1])
        kb_id = "null" if span.kb_id is None else _quoted(span.kb_id)
        span_items.append(
            f'{{"start":{span.start},"end":{span.end},"label":{_quoted(span.label)},'
            f'"token_start":{first},"token_end":{last},"kb_id":{kb_id}}}'
        )
    return (
        f'{{"text":{_quoted(text)},"meta":{_compact({**meta, "key": key})},"tokens":[{token_items}],'
        f'"spans":[{",".join(span_items)}],"_annotator_id":{_quoted(layer)}}}\n'
    )


def spacy_tokens(text: str, tokens: Sequence[Token]) -> tuple[list[tuple[int, int, bool]], list[int]]:
    """The tokens as spaCy has them: ``(start, end, ws)``, and each of ``tokens``' index among them.

    A token's ``ws`` is true only when one plain space follows it; any other whitespace (a line break, a
    tab, a no-break space, a second space, whitespace before the first token) is a token of its own with
    ``ws`` false, as spaCy's tokenizer makes it. So the words and their ``ws`` rebuild the text exactly.
    """
    if not tokens:
        return ([(0, len(text), False)] if text else []), []
    following = [s for s, _ in tokens[1:]]
    following.append(len(text))
    first = tokens[0][0]
    written: list[tuple[int, int, bool]] = [(0, first, False)] if first else []
    ids: list[int] = []
    for (start, end), after in zip(tokens, following, strict=True):
        ids.append(len(written))
        if after == end:  # most tokens: no gap, or one space
            written.append((start, end, False))
        elif after == end + 1 and text[end] == " ":
            written.append((start, end, True))
        elif text[end] == " ":
            written.append((start, end, True))
            written.append((end + 1, after, False))
        else:
            written.append((start, end, False))
            written.append((end, after, False))
    return written, ids


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_document(doc: ExportDocument, options: WriteOptions) -> Written:
    """A document as one Prodigy/spaCy record, every span as it is."""
    meta: dict[str, Any] = json.loads(doc.meta) if doc.meta else {}
    record = format_document(doc.key, doc.text, meta, doc.tokens, doc.spans, options.layer)
    return Written(record, len(doc.spans))


FORMAT = register(
    Format(
        name="jsonl",
        read=read_jsonl,
        suffixes=SUFFIXES,
        read_order=1,
        write=write_document,
        needs_tokens=True,
        file_suffix=".jsonl",
        part_suffix=".jsonl",
        write_order=1,
    )
)
