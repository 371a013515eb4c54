"""The JSONL export's tokens are spaCy's: their words and ``ws`` rebuild the text, and spans align."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given

from annotator.export import ExportRequest, export
from annotator.model import ImportRecord, Span
from annotator.store import Store
from tests import export_fixture
from tests.test_export_roundtrip import ROUND_TRIP, token_aligned_documents


def spacy_doc(record: dict[str, Any]) -> Any:
    """spaCy's Doc from the record's tokens, after checking the tokens against the text."""
    import spacy
    from spacy.tokens import Doc

    text = record["text"]
    tokens = record["tokens"]
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    for token in tokens:
        assert text[token["start"] : token["end"]] == token["text"]
        if token["ws"]:
            assert text[token["end"] : token["end"] + 1] == " "
    doc = Doc(spacy.blank("xx").vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
    assert doc.text == text
    assert [(t.idx, t.idx + len(t)) for t in doc] == [(t["start"], t["end"]) for t in tokens]
    return doc


def aligned_spans(record: dict[str, Any]) -> int:
    """How many spans spaCy finds exactly (``char_span``); every span with tokens is where it says."""
    doc = spacy_doc(record)
    exact = 0
    for span in record["spans"]:
        on_tokens = doc.char_span(span["start"], span["end"])
        exact += on_tokens is not None
        if "token_start" not in span:  # holds no token of ours: only whitespace, written without token ids
            continue
        found = on_tokens or doc.char_span(span["start"], span["end"], alignment_mode="expand")
        assert found is not None, span
        assert (found.start, found.end - 1) == (span["token_start"], span["token_end"]), span
    return exact


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
    assert sum(aligned_spans(r) for r in records) >= 24  # all but the spans placed off token boundaries


@ROUND_TRIP
@given(doc=token_aligned_documents(overlapping=True))
def test_any_text_of_words_and_gaps_rebuilds_in_spacy(doc: tuple[str, list[Span]]) -> None:
    text, spans = doc
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        with Store(Path(tmp) / "a.db") as store:
            store.documents.import_records(
                [ImportRecord(text, "d", "test", spans=spans)], default_layer="gold"
            )
            export(store, ExportRequest(fmt="jsonl", user="x", layer="gold", out=out))
        (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == text
    assert aligned_spans(record) == len(record["spans"]) == len(spans)  # on whole tokens: all exact


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
    assert written["spans"] == [{"start": 5, "end": 11, "label": "EVENT", "token_start": 1, "token_end": 1}]
    assert aligned_spans(written) == 0  # spaCy: the span runs past its token into the space after it
