"""The format registry: what it lists, how it tells a file's format, and that a format registered by one
module is offered by the command line and written by export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import formats
from annotator.errors import AnnotatorError
from annotator.formats import ExportDocument, Format, WriteOptions, Written


def test_the_registry_lists_the_formats_in_the_command_lines_order() -> None:
    assert formats.reader_names() == ["txt", "jsonl", "doccano", "conll", "brat"]
    assert formats.writer_names() == ["conll", "jsonl", "doccano", "brat"]
    assert [f.name for f in formats.writers() if f.needs_tokens] == ["conll", "jsonl"]
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
        AnnotatorError, match=r"cannot tell the format .* \(txt, jsonl, doccano, conll, brat\)"
    ):
        formats.detect(tmp_path / "notes.md")


def _upper(doc: ExportDocument, options: WriteOptions) -> Written:
    return Written(f"{options.layer}\t{doc.key}\t{doc.text.upper()}\n", len(doc.spans))


def test_a_registered_format_is_offered_and_written(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "_REGISTRY", dict(formats._load()))
    formats.register(Format(name="upper", write=_upper, file_suffix=".upper", write_order=9))
    source = tmp_path / "in.jsonl"
    record = {"id": "k1", "text": "Baku", "spans": [{"start": 0, "end": 4, "label": "PLACE"}]}
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run("import", str(source)).exit_code == 0
    out = tmp_path / "out.upper"
    result = run("export", "--format", "upper", "--all", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == "alice\tk1\tBAKU\n"
    assert "1 span(s)" in result.stderr
    assert "--format [conll|jsonl|doccano|brat|upper]" in run("export", "--help").stdout
    refused = run("import", "--format", "upper", str(source))  # it writes, it does not read
    assert refused.exit_code == 2
    assert "'upper' is not one of 'auto', 'txt', 'jsonl', 'doccano', 'conll', 'brat'." in refused.stderr
