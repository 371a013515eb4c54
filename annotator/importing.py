"""Finding the files an import names and reading each in its format."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats import brat, conll, doccano, jsonl, txt
from annotator.formats.reading import Progress
from annotator.model import ImportRecord, check_label

Reader = Callable[[Path, Progress | None], Iterator[ImportRecord]]
READERS: dict[str, Reader] = {
    "txt": txt.read_txt,
    "jsonl": jsonl.read_jsonl,
    "doccano": doccano.read_doccano,
    "conll": conll.read_conll,
    "brat": brat.read_brat,
}
SUFFIXES: dict[str, tuple[str, ...]] = {
    "txt": txt.SUFFIXES,
    "jsonl": jsonl.SUFFIXES,
    "doccano": doccano.SUFFIXES,
    "conll": conll.SUFFIXES,
    "brat": brat.SUFFIXES,
}
FORMATS = ("auto", *READERS)


def find_files(paths: list[Path], fmt: str) -> list[tuple[Path, str]]:
    """Every file to import with its format; a missing path or a folder without text files is an error."""
    suffixes = {s for group in SUFFIXES.values() for s in group} if fmt == "auto" else set(SUFFIXES[fmt])
    found: list[tuple[Path, str]] = []
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
            found.extend((p, detect(p, fmt)) for p in inside)
        else:
            found.append((path, detect(path, fmt)))
    return _one_entry_per_brat_pair(found)


def _one_entry_per_brat_pair(found: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """A brat document is named once (by its ``.ann``) though its ``.txt`` may be listed too."""
    seen: set[Path] = set()
    kept = []
    for path, fmt in found:
        if fmt == "brat":
            ann = path.with_suffix(".ann")
            if ann in seen:
                continue
            seen.add(ann)
            path = ann if ann.is_file() else path
        kept.append((path, fmt))
    return kept


def detect(path: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    suffix = path.suffix.lower()
    if suffix in brat.SUFFIXES:
        return "brat"
    if suffix in txt.SUFFIXES:
        return "brat" if path.with_suffix(".ann").is_file() else "txt"
    if suffix in conll.SUFFIXES:
        return "conll"
    if suffix in jsonl.SUFFIXES:
        return "doccano" if doccano.looks_like_doccano(path) else "jsonl"
    raise AnnotatorError(f"cannot tell the format from the name; use --format ({', '.join(READERS)})", path)


def read_files(
    files: list[tuple[Path, str]], progress: Progress | None = None, labels: Collection[str] | None = None
) -> Iterator[ImportRecord]:
    """The records of ``files``; with ``labels``, a span of another label is an error at its own line."""
    for path, fmt in files:
        for record in READERS[fmt](path, progress):
            if labels is not None:
                check_labels(record, labels)
            yield record


def check_labels(record: ImportRecord, labels: Collection[str]) -> None:
    """Refuse a span of a label outside ``labels``, at the span's own line where the record knows it."""
    for n, span in enumerate(record.spans or ()):
        line = record.span_lines[n] if record.span_lines is not None else record.line
        check_label(span.label, labels, record.source, line)
