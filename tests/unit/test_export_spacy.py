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
from tests.unit.test_export_roundtrip import ROUND_TRIP, token_aligned_documents


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
        if span["token_start"] is None:  # holds no token of ours: only whitespace, its token ids null
            continue
        found = on_tokens or doc.char_span(span["start"], span["end"], alignment_mode="expand")
        assert found is not None, span
        assert (found.start, found.end - 1) == (span["token_start"], span["token_end"]), span
    return exact


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
