"""The format registry on its own: what it lists and how it tells a file's format; and a writer called
directly, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator import formats
from annotator.errors import AnnotatorError


def test_the_registry_lists_the_formats_in_the_command_lines_order() -> None:
    assert formats.reader_names() == ["txt", "jsonl", "doccano", "conll", "brat", "spacy"]
    assert formats.writer_names() == ["conll", "jsonl", "doccano", "brat", "spacy"]
    assert [f.name for f in formats.writers() if f.needs_tokens] == ["conll", "jsonl", "spacy"]
    assert [f.name for f in formats.writers() if f.writes_folder] == ["brat"]


def test_detection_goes_by_claims_then_by_suffix(tmp_path: Path) -> None:
    prodigy = tmp_path / "p.jsonl"
    prodigy.write_text('{"text": "Baku", "spans": []}\n', encoding="utf-8")
    doccano = tmp_path / "d.jsonl"
    doccano.write_text('{"text": "Baku", "label": [[0, 4, "PLACE"]]}\n', encoding="utf-8")
    alone = tmp_path / "alone.txt"
    paired = tmp_path / "paired.txt"
    for path in (alone, paired, paired.with_suffix(".ann")):
        path.write_text("Baku\n", encoding="utf-8")
    found = {p.name: formats.detect(p).name for p in (prodigy, doccano, alone, paired, tmp_path / "x.ann")}
    assert found == {
        "p.jsonl": "jsonl",
        "d.jsonl": "doccano",
        "alone.txt": "txt",
        "paired.txt": "brat",
        "x.ann": "brat",
    }
    with pytest.raises(
        AnnotatorError, match=r"cannot tell the format .* \(txt, jsonl, doccano, conll, brat, spacy\)"
    ):
        formats.detect(tmp_path / "notes.md")


def test_a_token_holding_a_space_is_written_with_an_underscore() -> None:
    from annotator.formats import conll
    from annotator.text import tokenize

    text = "a \u0600 b"  # U+0600 is a prepended mark: its grapheme cluster takes the space after it
    tokens = tokenize(text)
    assert [text[s:e] for s, e in tokens] == ["a", "\u0600 ", "b"]
    written = conll.format_document(text, tokens, [0], [conll.Entity(1, 2, "PLACE")])
    assert written == "-DOCSTART- O\n\na O\n\u0600_ B-PLACE\nb O\n\n"
