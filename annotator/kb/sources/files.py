"""Knowledge-base files: CSV or TSV rows ``name,label[,aliases][,id]`` (aliases separated by ``|``, an
optional header row naming the columns) and JSON Lines ``{"name", "label", "aliases": [], "id"}`` (also
``description`` and ``prominence``). ``default_label`` fills an empty or missing label."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats.reading import MAX_FILE_BYTES, check_readable, decode, json_objects, read_whole
from annotator.model import KbEntry
from annotator.text import clean_text

SUFFIXES = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}  # fmt: skip
_COLUMNS = ("name", "label", "aliases", "id")


def read_kb_file(path: Path, default_label: str | None = None) -> list[KbEntry]:
    """Every entry of the file; the first bad line raises :class:`AnnotatorError` naming it."""
    if not path.exists():
        raise AnnotatorError("no such file", path)
    check_readable(path)
    text = decode(read_whole(path, MAX_FILE_BYTES), path)
    kind = SUFFIXES.get(path.suffix.lower()) or _sniff(text)
    if kind == "jsonl":
        entries = list(_read_jsonl(text, path, default_label))
    else:
        entries = list(_read_delimited(text, path, "\t" if kind == "tsv" else ",", default_label))
    if not entries:
        raise AnnotatorError("no entries in the file", path)
    return entries


def _sniff(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        return "jsonl"
    return "tsv" if "\t" in first else "csv"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _field(value: str) -> str:
    return " ".join(clean_text(value).split())


def _entry(
    name: Any, label: Any, aliases: list[Any], kb_id: Any, default_label: str | None, path: Path, line: int,
    description: Any = None, prominence: Any = 0.0,
) -> KbEntry:  # fmt: skip
    if not isinstance(name, str) or not _field(name):
        raise AnnotatorError(f"name must be a non-empty string, not {name!r}", path, line)
    if label is None or label == "":
        label = default_label
    if not isinstance(label, str) or not label.strip():
        raise AnnotatorError("no label (give one in the file or with --label)", path, line)
    for alias in aliases:
        if not isinstance(alias, str):
            raise AnnotatorError(f"aliases must be strings, not {alias!r}", path, line)
    if kb_id is not None and (isinstance(kb_id, bool) or not isinstance(kb_id, str | int)):
        raise AnnotatorError(f"id must be a string, not {kb_id!r}", path, line)
    if description is not None and not isinstance(description, str):
        raise AnnotatorError(f"description must be a string, not {description!r}", path, line)
    if isinstance(prominence, bool) or not isinstance(prominence, int | float):
        raise AnnotatorError(f"prominence must be a number, not {prominence!r}", path, line)
    try:
        finite = math.isfinite(float(prominence))
    except OverflowError:
        finite = False
    if not finite:
        raise AnnotatorError(f"prominence must be a finite number, not {prominence!r}", path, line)
    for value in (name, label, kb_id, description, *aliases):
        if isinstance(value, str) and _SURROGATE.search(value):
            raise AnnotatorError("a lone surrogate (\\ud800...) in a field: not text", path, line)
    clean_name = _field(name)
    clean_aliases = tuple(dict.fromkeys(a for a in map(_field, aliases) if a and a != clean_name))
    return KbEntry(
        name=clean_name,
        label=label.strip(),
        aliases=clean_aliases,
        kb_id=None if kb_id is None or str(kb_id).strip() == "" else _field(str(kb_id)),
        description=None if description is None else _field(description),
        source=path.name,
        prominence=float(prominence),
        line=line,
    )


def _read_delimited(text: str, path: Path, delimiter: str, default_label: str | None) -> Iterator[KbEntry]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    first = True
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            cells = [cell.strip() for cell in row]
            if first and [c.lower() for c in cells] == list(_COLUMNS[: len(cells)]):
                first = False
                continue  # a header row
            first = False
            if len(cells) > len(_COLUMNS):
                raise AnnotatorError(f"{len(cells)} columns; expected name,label[,aliases][,id]", path, line)
            other = "," if delimiter == "\t" else "\t"
            if len(cells) == 1 and not default_label and other in row[0]:
                hint = "tab but commas: if it is CSV" if other == "," else "comma but tabs: if it is TSV"
                raise AnnotatorError(
                    f"no label: the line has no {hint}, name the file {'.csv' if other == ',' else '.tsv'}",
                    path,
                    line,
                )
            name, label, aliases, kb_id = (*cells, "", "", "", "")[:4]
            split = aliases.split("|") if aliases else []
            yield _entry(name, label, split, kb_id or None, default_label, path, line)
    except csv.Error as err:
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise AnnotatorError(f"bad {kind}: {err}", path, reader.line_num) from None


def _read_jsonl(text: str, path: Path, default_label: str | None) -> Iterator[KbEntry]:
    numbered = ((line, raw) for line, raw in enumerate(text.split("\n"), 1) if raw.strip())
    for line, record in json_objects(numbered, path):
        aliases = record.get("aliases", [])
        if not isinstance(aliases, list):
            raise AnnotatorError(f"aliases must be a list of strings, not {aliases!r}", path, line)
        yield _entry(
            record.get("name"), record.get("label"), aliases, record.get("id"), default_label, path, line,
            record.get("description"), record.get("prominence", 0.0),
        )  # fmt: skip
