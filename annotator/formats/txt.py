"""Plain text: one document per file, its key the file name without extension."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats import Format, register
from annotator.formats.reading import Progress, decode, read_whole
from annotator.model import ImportRecord
from annotator.text import clean_text

SUFFIXES = (".txt",)


def read_txt(path: Path, progress: Progress | None = None) -> Iterator[ImportRecord]:
    raw = read_whole(path)
    text = clean_text(decode(raw, path))
    if not text.strip():
        raise AnnotatorError("empty file: no text to import", path)
    if progress is not None:
        progress(len(raw))
    yield ImportRecord(text=text, key=path.stem, source=str(path))


FORMAT = register(Format(name="txt", read=read_txt, suffixes=SUFFIXES, read_order=0))
