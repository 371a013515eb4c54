"""A format registered by one module is offered by the command line and written by `annotator export`;
`annotator import` refuses it when it only writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import formats
from annotator.formats import ExportDocument, Format, WriteOptions, Written


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
    assert "exported 1 document, 1 span from layer" in result.stderr
    assert "--format [conll|jsonl|doccano|brat|spacy|upper]" in run("export", "--help").stdout
    refused = run("import", "--format", "upper", str(source))  # it writes, it does not read
    assert refused.exit_code == 2
    readers = "'auto', 'txt', 'jsonl', 'doccano', 'conll', 'brat', 'spacy'"
    assert f"'upper' is not one of {readers}." in refused.stderr
