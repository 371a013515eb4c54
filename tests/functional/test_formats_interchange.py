"""What each format must carry to and from other tools exactly: brat's KB links, overlap rule and CRLF
texts, spaCy's own files (``Doc.to_json()`` lines and DocBin), CoNLL's document-start line, JSONL's keys;
through the real command line, on the hard-case corpus."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.formats import brat
from tests.functional.test_clients import HARD_CASES

SPANS = (
    "SELECT d.key, s.start, s.end, s.label, s.kb_id FROM spans s JOIN documents d ON d.id = s.doc_id"
    " WHERE s.layer = ? ORDER BY d.key, s.start, s.end, s.label"
)


def spans(db: Path, layer: str) -> list[tuple[str, int, int, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(SPANS, (layer,)).fetchall()


def source_spans() -> list[tuple[str, int, int, str, str | None]]:
    rows = []
    for line in HARD_CASES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        rows += [(record["id"], s["start"], s["end"], s["label"], s.get("kb_id")) for s in record["spans"]]
    return sorted(rows)


@pytest.fixture
def hard(run) -> None:
    assert run("import", str(HARD_CASES), "--as", "gold").exit_code == 0


def test_brat_keeps_every_kb_id_exactly_and_lets_spans_nest(run, hard, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    assert run("export", "--format", "brat", "--out", str(out)).exit_code == 0
    links = (out / "links.ann").read_text(encoding="utf-8")
    assert "Reference T1 Wikidata:Q473239\tMike Pompeo" in links  # a named database: no KB: before it
    assert "Reference T2 KB:am%20mod\tBaku" in links  # brat reads an id up to a space
    assert "Reference T4 KB:KB:Q1\t" in links  # an id that starts with KB: keeps it
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert brat.OVERLAP_RULE in conf.split("[relations]\n")[1].split("[events]")[0]
    back = tmp_path / "back.db"
    assert run("--db", str(back), "import", str(out), "--as", "gold").exit_code == 0
    assert spans(back, "gold") == source_spans()


@pytest.mark.parametrize(
    ("written", "kb_id"),
    [
        ("KB:Q1", "Q1"),
        ("GeoNames:587084", "GeoNames:587084"),
        ("KB:am%20mod", "am mod"),
        ("KB:a%25b", "a%b"),
        ("KB:%C2%A0x", "\u00a0x"),
    ],
)
def test_brat_kb_ids_read_back_as_written(written: str, kb_id: str) -> None:
    assert brat.read_kb_id(written) == kb_id
    assert brat.written_kb_id(kb_id) == written


def test_a_brat_text_with_crlf_line_ends_reads_with_brats_offsets(run, db: Path, tmp_path: Path) -> None:
    """brat reads the .txt with universal newlines: its offsets count CRLF as one character."""
    (tmp_path / "doc.txt").write_bytes(b"Baku is here.\r\nYerevan too.\r\n")
    (tmp_path / "doc.ann").write_bytes(b"T1\tPLACE 0 4\tBaku\r\nT2\tPLACE 14 21\tYerevan\r\n")
    result = run("import", str(tmp_path / "doc.ann"), "--as", "gold")
    assert result.exit_code == 0, result.stderr
    assert [(s, e, label) for _, s, e, label, _ in spans(db, "gold")] == [(0, 4, "PLACE"), (14, 21, "PLACE")]


def test_spacy_doc_to_json_lines_import_with_their_entities_and_span_groups(
    run, db: Path, tmp_path: Path
) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    doc = nlp("The US-backed talks in Baku ended.")
    doc.ents = [Span(doc, 1, 2, "PLACE", kb_id="Q30"), Span(doc, 6, 7, "PLACE")]
    doc.spans["sc"] = [Span(doc, 1, 5, "EVENT"), Span(doc, 1, 2, "PLACE", kb_id="Q30")]
    doc.spans["other"] = [Span(doc, 6, 7, "PLACE", kb_id="Q9248")]
    lines = tmp_path / "docs.jsonl"
    lines.write_text(json.dumps(doc.to_json()) + "\n", encoding="utf-8")
    result = run("import", str(lines), "--as", "gold")
    assert result.exit_code == 0, result.stderr
    assert "and 3 spans" in result.stdout
    text = doc.text
    assert [(text[s:e], label, kb) for _, s, e, label, kb in spans(db, "gold")] == [
        ("US", "PLACE", "Q30"),
        ("US-backed talks", "EVENT", None),
        ("Baku", "PLACE", "Q9248"),
    ]


def test_doc_to_json_spans_a_reader_cannot_read_are_an_error_not_dropped(
    run, db: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Baku", "spans": {"sc": [{"start": 0}]}}) + "\n", encoding="utf-8")
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"annotator: error: {bad}:1: span group 'sc', span 1: needs integer 'start' and 'end' and a 'label'"
    )
    assert not db.exists() or spans(db, "alice") == []


def test_docbin_export_imports_back_to_the_same_spans_and_kb_ids(run, hard, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    out = tmp_path / "gold.spacy"
    result = run("export", "--format", "spacy", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    back = tmp_path / "back.db"
    assert run("--db", str(back), "import", str(out)).exit_code == 0  # the layer from the DocBin
    assert spans(back, "gold") == source_spans()  # every span of this corpus is on token boundaries


def test_a_file_that_is_no_docbin_is_one_clear_error(run, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"\x78\x9c not really")
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"annotator: error: {bad}: not a spaCy DocBin file")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("columns", ["2", "4"])
def test_every_conll_line_has_as_many_fields_as_the_first(run, hard, tmp_path: Path, columns: str) -> None:
    out = tmp_path / "gold.conll"
    assert run("export", "--format", "conll", "--columns", columns, "--out", str(out)).exit_code == 0
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert {len(line.split(" ")) for line in lines} == {int(columns)}
    assert lines[0] == {"2": "-DOCSTART- O", "4": "-DOCSTART- -X- O O"}[columns]


def test_every_jsonl_span_has_the_same_keys(run, hard, tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    assert run("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {tuple(r) for r in records} == {("text", "meta", "tokens", "spans", "_annotator_id")}
    keys = {tuple(s) for r in records for s in r["spans"]}
    assert keys == {("start", "end", "label", "token_start", "token_end", "kb_id")}
