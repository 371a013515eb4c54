"""The JSONL export through the command line reads in spaCy: the fixture's tokens rebuild its texts and
the spans align."""

from __future__ import annotations

import json
from pathlib import Path

from tests import export_fixture
from tests.unit.test_export_spacy import aligned_spans


def test_the_fixture_export_rebuilds_in_spacy(run, tmp_path: Path) -> None:
    fixture = export_fixture.write(tmp_path / "fixture.jsonl")
    assert run("import", str(fixture), "--as", "gold").exit_code == 0
    out = tmp_path / "gold.jsonl"
    result = run("export", "--format", "jsonl", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["meta"]["key"] for r in records} == {"seed", "mixed", "off grid/1", "empty"}
    seed = next(r for r in records if r["meta"]["key"] == "seed")
    assert any(t["text"] == "\n\n\n" for t in seed["tokens"])  # paragraphs, where spans fell out of step
    assert aligned_spans(seed) == len(seed["spans"]) == 11
    assert sum(aligned_spans(r) for r in records) >= 25  # all but the spans placed off token boundaries


def test_a_span_ending_in_whitespace_after_the_last_token(run, tmp_path: Path) -> None:
    """Found by hypothesis: the span's tokens ran one past the last token (an IndexError in both)."""
    data = tmp_path / "d.jsonl"
    record = {"text": "Baku rests ", "spans": [{"start": 5, "end": 11, "label": "EVENT"}]}
    data.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run("import", str(data), "--as", "gold").exit_code == 0
    assert run("export", "--format", "conll", "--out", str(tmp_path / "o.conll")).exit_code == 0
    assert (tmp_path / "o.conll").read_text(encoding="utf-8").endswith("Baku O\nrests B-EVENT\n\n")
    assert run("export", "--format", "jsonl", "--out", str(tmp_path / "o.jsonl")).exit_code == 0
    lines = (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()
    (written,) = [json.loads(line) for line in lines]
    assert written["spans"] == [
        {"start": 5, "end": 11, "label": "EVENT", "token_start": 1, "token_end": 1, "kb_id": None}
    ]
    assert aligned_spans(written) == 0  # spaCy: the span runs past its token into the space after it
