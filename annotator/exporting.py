"""Exports: which layer and documents, their tokens, the split, where the files go, and what is reported.

The formats themselves are pure functions in ``annotator/formats``; this module streams documents from
the store to them one at a time, so memory does not grow with the corpus (the split keeps one small
entry per document id, nothing more).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from annotator.errors import AnnotatorError
from annotator.formats import brat, conll, doccano, jsonl
from annotator.model import GOLD, ExportRow, Span
from annotator.store import Store
from annotator.store.tokens import pack_offsets, unpack_offsets
from annotator.text import Token, sentences, tokenize, tokenizer_fingerprint

FORMATS = ("conll", "jsonl", "doccano", "brat")
PART_NAMES = ("train", "dev", "test")
EXPORTS = Path("exports")
_NEEDS_TOKENS = frozenset({"conll", "jsonl"})
_FILE_SUFFIXES = {"conll": ".conll", "jsonl": ".jsonl", "doccano": ".doccano.jsonl"}
_PART_SUFFIXES = {"conll": ".conll", "jsonl": ".jsonl", "doccano": ".jsonl"}
_CACHE_BATCH = 200
_WHICH = {
    "done": "documents marked done",
    "worked": "documents in progress or done",
    "all": "all documents",
}

Progress = Callable[[int, int], None]  # (documents just done, total)


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    user: str
    layer: str | None = None
    scheme: str = "iob2"
    columns: int = 2
    out: Path | None = None  # None: a file or folder in exports/; Path("-"): standard output
    split: tuple[float, ...] | None = None
    seed: int = 0
    which: str | None = None  # "done", "worked" or "all"; None: by the layer's kind (see choose_documents)


@dataclass
class ExportSummary:
    layer: str
    which: str
    outputs: list[str]
    documents: int = 0
    spans: int = 0
    tokens: int = 0
    widened: int = 0
    dropped: int = 0
    per_part: dict[str, int] = field(default_factory=dict)

    def describe(self, verbose: bool = False) -> str:
        """The line printed on stderr after an export."""
        parts = f" ({', '.join(f'{k} {v}' for k, v in self.per_part.items())})" if self.per_part else ""
        tokens = f", {self.tokens} tokens" if self.tokens else ""
        line = (
            f"exported {self.documents} document(s){parts}, {self.spans} span(s){tokens} from layer "
            f"{self.layer!r} ({_WHICH[self.which]}) to {', '.join(self.outputs)}"
        )
        if self.widened or self.dropped:
            line += (
                f"; {self.widened} span(s) widened to whole tokens, {self.dropped} span(s) dropped"
                " (overlapping: the longest kept; or holding no token)"
            )
            if not verbose:
                line += "; --verbose lists them"
        return line


@dataclass(frozen=True)
class ExportDocument:
    key: str
    text: str
    meta: str | None
    spans: list[Span]
    tokens: list[Token]
    sentence_starts: Sequence[int]


def choose_layer(store: Store, layer: str | None, user: str) -> str:
    """The layer asked for, else ``gold`` when it has spans, else the user's; it must exist."""
    chosen = layer or (GOLD if store.layers.has_spans(GOLD) else user)
    if chosen not in store.layers.names():
        known = ", ".join(store.layers.names()) or "none yet"
        hint = "" if layer else f" and layer {GOLD!r} has no spans"
        raise AnnotatorError(f"no layer {chosen!r}{hint} (layers: {known}); use --layer", store.path)
    return chosen


def choose_documents(store: Store, layer: str, which: str | None) -> str:
    """``done`` by default for an annotator's layer; for ``gold``, the documents review has worked on.

    A gold document that review has not touched has no spans, and written out it would teach a model that
    its names are no entities; a document review has started has had its spans adjudicated one by one.
    """
    if which is not None:
        return which
    return "worked" if store.layers.kind(layer) == GOLD else "done"


def default_out(fmt: str, layer: str, scheme: str, split: bool) -> Path:
    """``exports/LAYER.conll`` (``.bilou.conll``, ``.jsonl``, ``.doccano.jsonl``), or for a folder
    ``exports/LAYER-FORMAT`` (``-conll-bilou``)."""
    stem = brat.file_stem(layer)
    bilou = fmt == "conll" and scheme == "bilou"
    if split or fmt == "brat":
        return EXPORTS / (f"{stem}-{fmt}" + ("-bilou" if bilou else ""))
    return EXPORTS / (stem + (".bilou" if bilou else "") + _FILE_SUFFIXES[fmt])


def assign_parts(ids: Sequence[int], fractions: Sequence[float], seed: int) -> dict[int, int]:
    """Each document id's part: the ids shuffled with ``seed``, then cut at the rounded fractions."""
    order = list(ids)
    random.Random(seed).shuffle(order)
    parts: dict[int, int] = {}
    done = 0
    total = 0.0
    for part, fraction in enumerate(fractions):
        total += fraction
        cut = len(order) if part == len(fractions) - 1 else round(total * len(order))
        parts.update(dict.fromkeys(order[done:cut], part))
        done = max(done, cut)
    return parts


def export(
    store: Store,
    request: ExportRequest,
    progress: Progress | None = None,
    notes: Callable[[str], None] | None = None,
) -> ExportSummary:
    """Write the export ``request`` asks for; ``notes`` hears every span not written as it is."""
    layer = choose_layer(store, request.layer, request.user)
    which = choose_documents(store, layer, request.which)
    fractions = request.split
    # The split needs every id (one small entry per document); otherwise a count is all it takes.
    ids = store.exports.document_ids(layer, which) if fractions else None
    count = len(ids) if ids is not None else store.exports.document_count(layer, which)
    if not count:
        hint = "" if which == "all" else "; --all exports every document"
        raise AnnotatorError(
            f"no documents to export: layer {layer!r} has no {_WHICH[which]}{hint}", store.path
        )
    parts = assign_parts(ids, fractions, request.seed) if ids is not None and fractions else None
    names = PART_NAMES[: len(fractions)] if fractions else ("",)
    out = request.out or default_out(request.fmt, layer, request.scheme, fractions is not None)
    sinks = _open_sinks(request.fmt, out, names, [label.name for label in store.labels.all()])
    summary = ExportSummary(layer, which, [s.name for s in sinks])
    if fractions:
        summary.per_part = dict.fromkeys(names, 0)
    needs_tokens = request.fmt in _NEEDS_TOKENS
    total = count * (2 if needs_tokens else 1)
    version = tokenizer_fingerprint()
    try:
        if needs_tokens:
            warmed = _fill_token_cache(
                store, layer, which, version, lambda n: progress and progress(n, total)
            )
            if progress:
                progress(count - warmed, total)
        for row in store.exports.rows(layer, which, version):
            doc = _document(row, needs_tokens)
            part = parts[row.doc_id] if parts is not None else 0
            _write(request, layer, doc, sinks[part], summary, notes)
            summary.documents += 1
            if fractions:
                summary.per_part[names[part]] += 1
            if progress:
                progress(1, total)
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    for n, sink in enumerate(sinks):
        try:
            sink.close()
        except BaseException:
            for rest in sinks[n + 1 :]:
                rest.abort()
            raise
    return summary


def _write(
    request: ExportRequest,
    layer: str,
    doc: ExportDocument,
    sink: _Sink,
    summary: ExportSummary,
    notes: Callable[[str], None] | None,
) -> None:
    fmt = request.fmt
    summary.tokens += len(doc.tokens)
    if fmt == "conll":
        entities, found = conll.place_spans(doc.tokens, doc.spans)
        for note in found:
            if note.kind == "widened":
                summary.widened += 1
            else:
                summary.dropped += 1
            if notes is not None:
                notes(describe_note(doc.key, doc.text, note))
        summary.spans += len(entities)
        sink.write_text(
            conll.format_document(
                doc.text, doc.tokens, doc.sentence_starts, entities, request.scheme, request.columns
            )
        )
        return
    summary.spans += len(doc.spans)
    if fmt == "jsonl":
        meta: dict[str, Any] = json.loads(doc.meta) if doc.meta else {}
        sink.write_text(jsonl.format_document(doc.key, doc.text, meta, doc.tokens, doc.spans, layer))
    elif fmt == "doccano":
        sink.write_text(doccano.format_document(doc.key, doc.text, doc.spans))
    else:
        sink.write_pair(doc.key, doc.text, brat.format_annotations(doc.text, doc.spans))


def describe_note(key: str, text: str, note: conll.SpanNote) -> str:
    span = note.span
    what = f"{key}: {span.label} {span.start}-{span.end} {_shown(text, span.start, span.end)}"
    if note.kind == "widened":
        return f"{what} widened to whole tokens: {note.start}-{note.end} {_shown(text, note.start, note.end)}"
    if note.kind == "empty":
        return f"{what} holds no token: dropped"
    kept = note.kept
    assert kept is not None
    return (
        f"{what} dropped: overlaps {kept.label} {kept.start}-{kept.end} "
        f"{_shown(text, kept.start, kept.end)}, which is kept"
    )


def _shown(text: str, start: int, end: int) -> str:
    piece = text[start:end]
    return repr(piece if len(piece) <= 60 else piece[:57] + "...")


# --- tokens and their cache ---------------------------------------------------------------------------


def _tokens_and_sentences(text: str) -> tuple[list[Token], list[int]]:
    tokens = tokenize(text)
    return tokens, [first for first, _ in sentences(text, tokens)]


def _document(row: ExportRow, needs_tokens: bool) -> ExportDocument:
    tokens: list[Token] = []
    starts: Sequence[int] = ()
    if needs_tokens:
        if row.tokens is not None and row.sentences is not None:
            flat = unpack_offsets(row.tokens)
            tokens = list(zip(flat[0::2], flat[1::2], strict=True))
            starts = unpack_offsets(row.sentences)
        else:
            tokens, starts = _tokens_and_sentences(row.text)
    return ExportDocument(row.key, row.text, row.meta, row.spans, tokens, starts)


def _fill_token_cache(
    store: Store, layer: str, which: str, version: str, progress: Callable[[int], Any]
) -> int:
    """Tokenize the exported documents the cache lacks and store them; how many were tokenized.

    A database that cannot be written (read-only, locked for long) is no error: the export then
    tokenizes those documents as it goes.
    """
    done = 0
    after = 0
    while batch := store.tokens.missing(layer, which, version, after, _CACHE_BATCH):
        rows = []
        for doc_id, text in batch:
            tokens, starts = _tokens_and_sentences(text)
            rows.append((doc_id, pack_offsets(list(chain.from_iterable(tokens))), pack_offsets(starts)))
        try:
            store.tokens.save(version, rows)
        except sqlite3.OperationalError:
            return done
        done += len(batch)
        after = batch[-1][0]
        progress(len(batch))
    return done


# --- where the bytes go -------------------------------------------------------------------------------


class _Sink:
    """One output: a file, standard output, or a brat folder. ``name`` is what the summary shows.

    A failure to write (disk full, no permission, read-only file system) is an ``AnnotatorError`` naming
    the output, so that the command line shows one line.
    """

    name: str

    def write_text(self, chunk: str) -> None:
        raise NotImplementedError

    def write_pair(self, key: str, text: str, annotations: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def _failed(err: OSError, path: str | Path, exact: bool = False) -> AnnotatorError:
    """The error line for a failure to write ``path``; ``exact``: name ``path`` even when the failure
    names another file (a file's temporary name)."""
    where = path if exact or err.filename is None else err.filename
    return AnnotatorError(err.strerror or str(err), where)


def _make_folder(folder: Path) -> None:
    """``folder`` and its parents, or an error naming the file that is in the way."""
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise AnnotatorError("is a file, not a folder", ancestor)
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _failed(err, folder) from None


class _FileSink(_Sink):
    """A regular file is written under a temporary name and renamed when complete, so that a failed
    export leaves the previous file as it was; so is the target of a symbolic link to a regular file (the
    link stays). Anything else that already exists (a device, a FIFO, ``/dev/fd/N``, a dangling link) is
    written in place: renaming would replace the device, FIFO or link with a regular file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self._temp: Path | None = None
        self._target = path
        try:
            if path.is_dir():
                raise AnnotatorError("is a folder; --out names a file for this format", path)
            real = Path(os.path.realpath(path)) if path.is_symlink() else path
            if (path.is_symlink() and not real.is_file()) or (path.exists() and not path.is_file()):
                self._stream: TextIO = path.open("w", encoding="utf-8", newline="\n")
                return
            _make_folder(real.parent)
            self._target = real  # a link to a regular file: its target, renamed onto, the link kept
            self._temp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
            self._stream = self._temp.open("w", encoding="utf-8", newline="\n")
        except OSError as err:
            raise _failed(err, path, exact=True) from None

    def write_text(self, chunk: str) -> None:
        try:
            self._stream.write(chunk)
        except OSError as err:
            raise _failed(err, self.path, exact=True) from None

    def close(self) -> None:
        try:
            self._stream.close()
            if self._temp is not None:
                os.replace(self._temp, self._target)
        except OSError as err:
            self.abort()
            raise _failed(err, self.path, exact=True) from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # already failing; the first error is the one reported
            self._stream.close()
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


class _StdoutSink(_Sink):
    name = "standard output"

    def __init__(self) -> None:
        sys.stdout.flush()
        self._stream: BinaryIO = sys.stdout.buffer

    def write_text(self, chunk: str) -> None:
        try:
            self._stream.write(chunk.encode("utf-8"))
        except OSError as err:
            raise _failed(err, self.name) from None

    def close(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            raise _failed(err, self.name) from None


class _BratSink(_Sink):
    """``KEY.txt`` and ``KEY.ann`` per document in a folder, and an ``annotation.conf`` naming the labels.

    The folder may hold a previous brat export, which is replaced: its ``.txt``/``.ann`` files and
    ``annotation.conf`` are removed first. Any other file there is not ours to remove, and is an error.
    """

    def __init__(self, folder: Path, labels: Sequence[str]) -> None:
        if folder.exists() and not folder.is_dir():
            raise AnnotatorError("is a file; brat and --split write a folder", folder)
        self.folder = folder
        self.name = f"{folder}{os.sep}"
        self._labels = labels
        previous = _previous_brat_export(folder)
        _make_folder(folder)
        _remove(previous, folder)

    def write_pair(self, key: str, text: str, annotations: str) -> None:
        stem = brat.file_stem(key)
        try:
            (self.folder / f"{stem}.txt").write_text(text, encoding="utf-8", newline="")
            (self.folder / f"{stem}.ann").write_text(annotations, encoding="utf-8", newline="")
        except OSError as err:
            raise _failed(err, self.folder) from None

    def close(self) -> None:
        try:
            conf = brat.annotation_conf(self._labels)
            (self.folder / brat.CONF_NAME).write_text(conf, encoding="utf-8")
        except OSError as err:
            raise _failed(err, self.folder) from None


def _previous_brat_export(folder: Path) -> list[Path]:
    """The files of a previous brat export in ``folder`` (``.txt``, ``.ann``, ``annotation.conf``); an
    error when anything else is there, which is not ours to remove."""
    if not folder.is_dir():
        return []
    try:
        entries = sorted(folder.iterdir())
    except OSError as err:
        raise _failed(err, folder) from None
    ours = [p for p in entries if p.is_file() and (p.suffix in (".txt", ".ann") or p.name == brat.CONF_NAME)]
    others = [p for p in entries if p not in ours]
    if others:
        raise AnnotatorError(
            f"holds {others[0].name!r}, which a brat export does not write; a brat export replaces only a"
            " previous one (.txt/.ann files and annotation.conf): give an empty or new folder",
            folder,
        )
    return ours


def _remove(paths: Sequence[Path], folder: Path) -> None:
    try:
        for path in paths:
            path.unlink(missing_ok=True)
    except OSError as err:
        raise _failed(err, folder) from None


def _remove_other_parts(fmt: str, out: Path, names: Sequence[str]) -> None:
    """A split replaces the previous one: the parts of this format it does not write are removed, so that
    no old ``test`` file is left beside a new two-part split."""
    for name in PART_NAMES:
        if name in names:
            continue
        if fmt == "brat":
            folder = out / name
            _remove(_previous_brat_export(folder), folder)
            try:
                if folder.is_dir():
                    folder.rmdir()
            except OSError as err:
                raise _failed(err, folder) from None
        else:
            _remove([out / f"{name}{_PART_SUFFIXES[fmt]}"], out)


def _open_sinks(fmt: str, out: Path, names: Sequence[str], labels: Sequence[str]) -> list[_Sink]:
    """The outputs, one per part; a split first checks every brat folder, then removes the old parts."""
    if names != ("",) and str(out) != "-":
        if out.exists() and not out.is_dir():
            raise AnnotatorError("is a file; --split writes a folder", out)
        if fmt == "brat":
            for name in PART_NAMES:
                _previous_brat_export(out / name)
        _remove_other_parts(fmt, out, names)
    sinks: list[_Sink] = []
    try:
        for name in names:
            sinks.append(_open_sink(fmt, out, name, labels))
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    return sinks


def _open_sink(fmt: str, out: Path, name: str, labels: Sequence[str]) -> _Sink:
    """The output for one part (``name`` is ``train``, ``dev``, ``test``, or empty without --split)."""
    if str(out) == "-":
        if name or fmt == "brat":
            raise AnnotatorError("brat and --split write a folder, not standard output; give --out FOLDER")
        return _StdoutSink()
    if fmt == "brat":
        return _BratSink(out / name if name else out, labels)
    if name:
        return _FileSink(out / f"{name}{_PART_SUFFIXES[fmt]}")
    return _FileSink(out)
