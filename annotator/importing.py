"""Finding the files an import names and reading each in its format (see ``annotator.formats``)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from annotator import formats
from annotator.errors import AnnotatorError
from annotator.formats import Format, Progress
from annotator.formats.reading import check_readable
from annotator.model import ImportRecord, ImportResult, check_label, name_problem, text_problem

if TYPE_CHECKING:
    from annotator.store import Store

AUTO = "auto"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
"""The sample articles an empty database starts with."""


def format_choices() -> list[str]:
    """What ``annotator import --format`` takes: ``auto``, then every format import reads."""
    return [AUTO, *formats.reader_names()]


def find_files(paths: list[Path], fmt: str) -> list[tuple[Path, Format]]:
    """Every file to import with its format; a missing path or a folder without text files is an error."""
    chosen = None if fmt == AUTO else formats.get(fmt)
    suffixes = {s for f in formats.readers() for s in f.suffixes} if chosen is None else set(chosen.suffixes)
    found: list[tuple[Path, Format]] = []
    for path in paths:
        if not path.exists():
            raise AnnotatorError("no such file or folder", path)
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                raise AnnotatorError(
                    f"no files to import ({', '.join(sorted(suffixes))}) in this folder", path
                )
            found.extend((p, chosen or formats.detect(p)) for p in inside)
        else:
            check_readable(path)
            found.append((path, chosen or formats.detect(path)))
    for path, _ in found:
        check_readable(path)
    return _once_per_document(found)


def _once_per_document(found: list[tuple[Path, Format]]) -> list[tuple[Path, Format]]:
    """A document read from several files (brat's ``.txt`` and ``.ann``) is named once, by the file that
    stands for it, though the others may be listed too."""
    seen: set[Path] = set()
    kept = []
    for path, fmt in found:
        if fmt.document_file is not None:
            named = fmt.document_file(path)
            if named in seen:
                continue
            seen.add(named)
            path = named if named.is_file() else path
        kept.append((path, fmt))
    return kept


def read_files(
    files: list[tuple[Path, Format]], progress: Progress | None = None, labels: Collection[str] | None = None
) -> Iterator[ImportRecord]:
    """The records of ``files``; with ``labels``, a span of another label is an error at its own line."""
    for path, fmt in files:
        assert fmt.read is not None, f"{fmt.name} is not a format import reads"
        for record in fmt.read(path, progress):
            check_record(record)
            if labels is not None:
                check_labels(record, labels)
            yield record


def check_record(record: ImportRecord) -> None:
    """Refuse what the database must not hold, whatever the format: a text left empty once its control
    characters are removed, a key or layer name with control characters or lone surrogates (a key is
    shown on screens and printed), meta JSON cannot hold."""
    where, line = record.source, record.line
    if not record.text.strip():
        raise AnnotatorError("no text left once control characters are removed", where, line)
    problem = text_problem(record.text)
    if problem is not None:
        raise AnnotatorError(f"the record's text: {problem.removeprefix('its text ')}", where, line)
    if record.key is not None and (problem := name_problem(record.key, "key")) is not None:
        raise AnnotatorError(problem, where, line)
    if record.layer is not None and (problem := name_problem(record.layer, "layer")) is not None:
        raise AnnotatorError(problem, where, line)
    for n, span in enumerate(record.spans or ()):
        if span.kb_id is not None and (problem := name_problem(span.kb_id, "kb_id")) is not None:
            span_line = record.span_lines[n] if record.span_lines is not None else line
            raise AnnotatorError(f"span {n + 1}: {problem}", where, span_line)
    if record.meta:
        import json

        try:
            encoded = json.dumps(record.meta, ensure_ascii=False)
            encoded.encode("utf-8")
        except (RecursionError, UnicodeEncodeError, ValueError):
            raise AnnotatorError(
                "'meta' cannot be stored: nested too deep, or a lone surrogate (\\ud800...) in it",
                where,
                line,
            ) from None


def check_labels(record: ImportRecord, labels: Collection[str]) -> None:
    """Refuse a span of a label outside ``labels``, at the span's own line where the record knows it."""
    for n, span in enumerate(record.spans or ()):
        line = record.span_lines[n] if record.span_lines is not None else record.line
        check_label(span.label, labels, record.source, line)


def import_files(
    store: Store,
    files: list[tuple[Path, Format]],
    *,
    default_layer: str,
    who: str,
    layer_override: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read ``files`` into the store in one transaction, every span checked against the store's labels
    (see :meth:`Documents.import_records <annotator.store.documents.Documents.import_records>`)."""
    labels = {label.name for label in store.labels.all()}
    return store.documents.import_records(
        read_files(files, progress, labels),
        default_layer=default_layer,
        who=who,
        layer_override=layer_override,
    )


def import_seeds(store: Store, layer: str) -> ImportResult:
    """Import the sample articles of :data:`SEEDS` (for an empty database opened with no command)."""
    if not SEEDS.is_dir():
        raise AnnotatorError(
            "the database has no documents and there is no seeds folder; use 'annotator import PATH'",
            store.path,
        )
    return store.documents.import_records(read_files(find_files([SEEDS], AUTO)), default_layer=layer)
