"""spaCy's binary ``DocBin`` (``.spacy``), what ``spacy train`` reads: ``--format spacy``.

Written: one ``Doc`` per document on our tokens (as spaCy has them, ``jsonl.spacy_tokens``: the words and
their spaces rebuild the text), ``doc.ents`` the entities CoNLL would write (the longest of overlapping
spans, see ``conll.place_spans``), and every span in the span group ``sc`` (spaCy's ``spancat`` key), each
with its KB id as ``kb_id_``; the key, meta (its JSON text) and layer go in
``doc.user_data["annotator"]``. A DocBin is one compressed whole: it is built in memory and written at
the end.

Read: ``.spacy`` files (the spans of ``doc.ents`` and of every span group, once each) and, given
``--format spacy``, ``Doc.to_json()`` lines (as ``--format jsonl`` reads them).

spaCy is imported only when a DocBin is read or written, and it is an optional dependency: without it this
format says how to install it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats import ExportDocument, Format, SpanNote, WriteOptions, Written, register
from annotator.formats.conll import place_spans
from annotator.formats.jsonl import make_record, read_jsonl, spacy_tokens
from annotator.formats.reading import Progress
from annotator.model import ImportRecord
from annotator.text import token_range

SUFFIXES = (".spacy",)
SPAN_GROUP = "sc"
USER_DATA = "annotator"
# What a document of ours has: the words, their spaces and the entities (spaCy stores 11 columns by default,
# tags, heads, lemmas and the like that we never set, for every token).
DOCBIN_ATTRS = ("ORTH", "SPACY", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID")


def _spacy(path: Path | None = None) -> Any:
    try:
        import spacy
    except ImportError:
        raise AnnotatorError(
            "--format spacy needs spaCy: pip install 'spacy>=3.7,<4' (or annotator[spacy])", path
        ) from None
    return spacy


class DocBinWriter:
    """Documents into one DocBin (see the module's docstring)."""

    def __init__(self, options: WriteOptions) -> None:
        spacy = _spacy()
        from spacy.tokens import DocBin

        self._layer = options.layer
        self._vocab = spacy.blank("xx").vocab
        self._bin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)

    def add(self, doc: ExportDocument) -> Written:
        from spacy.tokens import Doc
        from spacy.tokens import Span as SpacySpan

        written, ids = spacy_tokens(doc.text, doc.tokens)
        words = [doc.text[s:e] for s, e, _ in written]
        spaces = [ws for _, _, ws in written]
        sdoc = Doc(self._vocab, words=words, spaces=spaces)
        notes: list[SpanNote] = []
        group = []
        kb_ids: dict[tuple[int, int, str], str] = {}
        for span in doc.spans:
            found = token_range(doc.tokens, span.start, span.end)
            if found is None:
                notes.append(SpanNote("empty", span))
                continue
            first, last = found
            start, end = doc.tokens[first][0], doc.tokens[last - 1][1]
            if (start, end) != (span.start, span.end):
                notes.append(SpanNote("widened", span, start, end))
            if span.kb_id is not None:
                kb_ids.setdefault((first, last, span.label), span.kb_id)
            group.append(
                SpacySpan(sdoc, ids[first], ids[last - 1] + 1, label=span.label, kb_id=span.kb_id or "")
            )
        entities, _ = place_spans(doc.tokens, doc.spans)  # what it leaves out is still in the group
        sdoc.ents = [
            SpacySpan(
                sdoc,
                ids[e.first],
                ids[e.last - 1] + 1,
                label=e.label,
                kb_id=kb_ids.get((e.first, e.last, e.label), ""),
            )
            for e in entities
        ]
        sdoc.spans[SPAN_GROUP] = group
        # meta as its JSON text: msgpack, which DocBin stores user data with, cannot hold every JSON number
        sdoc.user_data[USER_DATA] = {"key": doc.key, "meta": doc.meta or "{}", "layer": self._layer}
        self._bin.add(sdoc)
        return Written("", len(group), notes)

    def finish(self) -> bytes:
        data: bytes = self._bin.to_bytes()
        return data


def read_spacy(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    """The documents of a ``.spacy`` file; anything else is read as ``Doc.to_json()`` lines."""
    if path.suffix.lower() not in SUFFIXES:
        yield from read_jsonl(path, progress)
        return
    spacy = _spacy(path)
    from spacy.tokens import DocBin

    raw = path.read_bytes()
    if progress is not None:
        progress(len(raw))
    try:
        docs = list(DocBin().from_bytes(raw).get_docs(spacy.blank("xx").vocab))
    except Exception as err:  # zlib, msgpack or spaCy's own errors: the file is no DocBin
        raise AnnotatorError(f"not a spaCy DocBin file ({type(err).__name__}: {err})", path) from None
    if not docs:
        raise AnnotatorError("empty file: no documents", path)
    for number, sdoc in enumerate(docs, 1):
        yield _record(path, number, sdoc)


def _record(path: Path, number: int, sdoc: Any) -> ImportRecord:
    """One Doc as a record: its text, the spans of its entities and span groups, our key and meta."""
    text: str = sdoc.text
    if not text.strip():
        raise AnnotatorError(f"document {number} has no text", path)
    found: dict[tuple[int, int, str], str | None] = {}
    for span in [*sdoc.ents, *(s for name in sdoc.spans for s in sdoc.spans[name])]:
        key = (span.start_char, span.end_char, span.label_)
        found[key] = found.get(key) or span.kb_id_ or None
    info = sdoc.user_data.get(USER_DATA)
    info = info if isinstance(info, dict) else {}
    record: dict[str, Any] = {"text": text}
    if isinstance(info.get("key"), str):
        record["id"] = info["key"]
    meta = info.get("meta")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            raise AnnotatorError(f"document {number}: its meta is not JSON", path) from None
    if isinstance(meta, dict):
        record["meta"] = meta
    layer = info.get("layer")
    items = [(start, end, label, kb_id) for (start, end, label), kb_id in found.items()]
    return make_record(path, number, record, items, layer if isinstance(layer, str) else None)


FORMAT = register(
    Format(
        name="spacy",
        read=read_spacy,
        suffixes=SUFFIXES,
        read_order=5,
        collect=DocBinWriter,
        needs_tokens=True,
        file_suffix=".spacy",
        part_suffix=".spacy",
        write_order=4,
    )
)
