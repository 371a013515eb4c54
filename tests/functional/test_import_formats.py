"""annotator import for CoNLL and brat, and our own JSONL export read back; bad input in both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import export_fixture
from tests.conftest import GOLDEN, SEED
from tests.functional.test_import import rows

SPANS = (
    'SELECT d.key, s.layer, s.start, s."end", s.label, s.kb_id FROM spans s'
    " JOIN documents d ON d.id = s.doc_id"
)

# CoNLL-2003's own layout and scheme: IOB1, where I- after O starts an entity and B- appears only between
# two adjacent entities of one type.
CONLL_2003 = """-DOCSTART- -X- -X- O

EU NNP B-NP I-ORG
rejects VBZ B-VP O
German JJ B-NP I-MISC
call NN I-NP O
. . O O

Peter NNP B-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

Paris NNP B-NP I-LOC
Lyon NNP I-NP B-LOC
and CC O O
Baku NNP B-NP I-LOC
"""


def test_conll_2003_iob1_with_four_columns(run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "eng.conll"
    path.write_text(CONLL_2003.replace("ORG", "ACTOR").replace("PER", "ACTOR").replace("MISC", "EVENT")
                    .replace("LOC", "PLACE"), encoding="utf-8")  # fmt: skip
    result = run("import", str(path), "--as", "gold")
    assert result.exit_code == 0, result.stderr
    assert "imported 2 documents and 6 spans" in result.stdout
    docs = rows(db, "SELECT id, text FROM documents ORDER BY id")
    assert [t for _, t in docs] == ["EU rejects German call .\nPeter Blackburn", "Paris Lyon and Baku"]
    found = rows(db, 'SELECT doc_id, start, "end", label FROM spans ORDER BY doc_id, start')
    texts = dict(docs)
    assert [(texts[d][s:e], label) for d, s, e, label in found] == [
        ("EU", "ACTOR"), ("German", "EVENT"), ("Peter Blackburn", "ACTOR"),
        ("Paris", "PLACE"), ("Lyon", "PLACE"), ("Baku", "PLACE"),
    ]  # fmt: skip
    assert rows(db, "SELECT DISTINCT layer, status FROM doc_status") == [("gold", "done")]


def test_conll_bilou_and_bioes_tabs_and_no_docstart(run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "b.conll"
    path.write_text(
        "Troops\tO\nleft\tO\nNagorno\tB-PLACE\n-\tI-PLACE\nKarabakh\tL-PLACE\n.\tO\n\n"
        "Baku\tS-PLACE\nand\tO\nMinsk\tB-ACTOR\nGroup\tE-ACTOR\n",
        encoding="utf-8",
    )
    assert run("import", str(path)).exit_code == 0
    [(text,)] = rows(db, "SELECT text FROM documents")
    assert text == "Troops left Nagorno - Karabakh .\nBaku and Minsk Group"
    spans = rows(db, 'SELECT start, "end", label, layer FROM spans ORDER BY start')
    assert [(text[s:e], label, layer) for s, e, label, layer in spans] == [
        ("Nagorno - Karabakh", "PLACE", "alice"), ("Baku", "PLACE", "alice"),
        ("Minsk Group", "ACTOR", "alice"),
    ]  # fmt: skip


def test_our_brat_export_folder_reimports_with_kb_links(run, db: Path, tmp_path: Path) -> None:
    golden = GOLDEN / "brat"
    result = run("import", str(golden), "--as", "bob")
    assert result.exit_code == 0, result.stderr
    assert "imported 4 documents and 28 spans from 4 files" in result.stdout  # not the .txt again
    assert rows(db, "SELECT key FROM documents ORDER BY id") == [
        ("empty",),
        ("mixed",),
        ("off_grid_1-ab384a51",),
        ("seed",),
    ]
    [(seed,)] = rows(db, "SELECT text FROM documents WHERE key = 'seed'")
    assert seed == SEED.read_text(encoding="utf-8")
    expected = sorted(
        (r["id"].replace(" ", "_").replace("/", "_") + ("-ab384a51" if r["id"] == "off grid/1" else ""),
         "bob", s["start"], s["end"], s["label"], s.get("kb_id"))
        for r in export_fixture.records() for s in r["spans"]
    )  # fmt: skip
    assert sorted(rows(db, SPANS)) == expected


def test_brat_pair_by_either_name_and_fragments_of_other_tools(run, db: Path, tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("New\nYork is big.\r\nBaku too.", encoding="utf-8", newline="")
    (tmp_path / "doc.ann").write_text(
        "T1\tPLACE 0 3;4 8\tNew York\n#1\tAnnotatorNotes T1\ta note\nR1\tRel Arg1:T1 Arg2:T2\n"
        "T2\tPLACE 18 22\tBaku\nN1\tReference T2 GeoNames:587084\tBaku\n",
        encoding="utf-8",
    )
    assert run("import", str(tmp_path / "doc.txt"), "--format", "brat").exit_code == 0
    [(text,)] = rows(db, "SELECT text FROM documents")
    assert text == "New\nYork is big.\nBaku too."  # \r\n made \n, offsets moved with it
    assert [(text[s:e], label, kb) for _, _, s, e, label, kb in rows(db, SPANS + " ORDER BY s.start")] == [
        ("New\nYork", "PLACE", None), ("Baku", "PLACE", "GeoNames:587084"),
    ]  # fmt: skip


def test_our_jsonl_export_reimports_with_kb_ids_layer_and_key(run, db: Path, tmp_path: Path) -> None:
    fixture = export_fixture.write(tmp_path / "fixture.jsonl")
    assert run("import", str(fixture), "--as", "gold").exit_code == 0
    out = tmp_path / "gold.jsonl"
    assert run("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    before = sorted(rows(db, SPANS))
    meta = rows(db, "SELECT key, meta FROM documents ORDER BY id")
    db.unlink()
    result = run("import", str(out))  # no --as: the records' _annotator_id
    assert result.exit_code == 0, result.stderr
    assert sorted(rows(db, SPANS)) == before
    assert rows(db, "SELECT key, meta FROM documents ORDER BY id") == meta
    assert json.loads(meta[0][1]) == {"source": "seeds/000_874653b030f5b32a.txt"}


# --- bad input: one line, exit 1, nothing imported --------------------------------------------------


def _bad(tmp: Path) -> dict[str, tuple[str, str]]:
    (tmp / "columns.conll").write_text("Paris B-PLACE\nis O\nbig JJ O\n", encoding="utf-8")
    (tmp / "one.conll").write_text("-DOCSTART- -X- -X- O\n\nParis\n", encoding="utf-8")
    (tmp / "tag.conll").write_text("Paris B-PLACE\nis X\n", encoding="utf-8")
    (tmp / "last.conll").write_text("Paris O\nis L-PLACE\n", encoding="utf-8")
    (tmp / "mixed.conll").write_text("Paris B-PLACE\nis L-ACTOR\n", encoding="utf-8")
    (tmp / "label.conll").write_text("Paris O\n\nis B-CITY\n", encoding="utf-8")
    (tmp / "blank.conll").write_text("-DOCSTART- -X- -X- O\n\n\n", encoding="utf-8")
    for name, ann in {
        "text": "T1\tPLACE 0 5\tParis\nT2\tPLACE 9 13\tRome\n",
        "outside": "T1\tPLACE 9 40\tBaku\n",
        "shape": "T1\tPLACE 9\tBaku\n",
        "link": "T1\tPLACE 9 13\tBaku\nN1\tReference T7 KB:1\tBaku\n",
        "bratlabel": "T1\tPLACE 0 5\tParis\nT2\tFOO 9 13\tBaku\n",
        "garbage": "T1\tPLACE 0 5\tParis\ngarbage line\n",
        "gap": "T1\tPLACE 9 13\tBaku\nT2\tPLACE 0 2;9 13\tPa Baku\n",
    }.items():
        (tmp / name).mkdir()
        (tmp / name / "a.txt").write_text("Paris or Baku", encoding="utf-8")
        (tmp / name / "a.ann").write_text(ann, encoding="utf-8")
    (tmp / "alone.ann").write_text("T1\tPLACE 0 4\tBaku\n", encoding="utf-8")
    deep = "".join(f"w{n} O\n" + ("\n" if n % 10 == 9 else "") for n in range(45)) + "Baku B-FOO\n"
    (tmp / "deep.conll").write_text(deep, encoding="utf-8")  # the bad tag on line 50
    prodigy = {"text": "Paris or Baku", "spans": [{"start": 9, "end": 13, "label": "PLACE"}]}
    (tmp / "prodigy.jsonl").write_text(json.dumps(prodigy) + "\n", encoding="utf-8")
    doccano_labels = {"text": "Paris or Baku", "labels": [[9, 13, "PLACE"]]}
    (tmp / "labels.jsonl").write_text(json.dumps(doccano_labels) + "\n", encoding="utf-8")
    return {
        "columns": ("columns.conll", "columns.conll:3: 3 columns where line 1 has 2"),
        "one": ("one.conll", "one.conll:3: expected a token and its tag"),
        "tag": ("tag.conll", "tag.conll:2: tag 'X' is neither O nor B-, I-, L-, U-, E- or S- with a label"),
        "last": ("last.conll", "last.conll:2: L-PLACE ends an entity that no B-PLACE or I-PLACE began"),
        "mixed": ("mixed.conll", "mixed.conll:2: L-ACTOR ends an entity of another label (PLACE)"),
        "label": ("label.conll", "label.conll:3: unknown label 'CITY'"),
        "blank": ("blank.conll", "blank.conll: empty file: no tokens"),
        "text": ("text", "a.ann:2: T2: text 'Rome' does not match the text at 9 13 ('Baku')"),
        "outside": ("outside", "a.ann:1: T1: offsets 9 40 are outside the text (length 13)"),
        "shape": ("shape", "a.ann:1: expected T<n><TAB>LABEL START END"),
        "link": ("link", "a.ann:2: the link points at T7, which is not a text span"),
        "alone": ("alone.ann", "alone.ann: brat: no alone.txt beside this file"),
        "deep": ("deep.conll", "deep.conll:50: unknown label 'FOO' (known: ACTOR, EVENT, PLACE)"),
        "bratlabel": ("bratlabel", "a.ann:2: unknown label 'FOO' (known: ACTOR, EVENT, PLACE)"),
        "garbage": (
            "garbage",
            "a.ann:2: not a brat annotation line (T, N, R, E, A, M, * or # and a number, then a tab)",
        ),
        "gap": (
            "gap",
            "a.ann:2: T2: discontinuous span 0 2;9 13 leaves out text; a span layer holds contiguous spans"
            " only (fragments split only at line breaks are read as one span)",
        ),
        "prodigy_as_doccano": (
            "prodigy.jsonl",
            "prodigy.jsonl:1: record has spans under 'spans', which the doccano reader does not read (it"
            " reads 'label' or 'entities'); choose the reader with --format",
        ),
        "doccano_labels": (
            "labels.jsonl",
            "labels.jsonl:1: record has spans under 'labels', which the Prodigy/spaCy reader (--format"
            " jsonl) does not read (it reads 'spans' or 'ents'); choose the reader with --format",
        ),
    }


_FORCED = {"prodigy_as_doccano": ["--format", "doccano"]}


@pytest.mark.parametrize(
    "case",
    ["columns", "one", "tag", "last", "mixed", "label", "blank", "text", "outside", "shape", "link", "alone",
     "deep", "bratlabel", "garbage", "gap", "prodigy_as_doccano", "doccano_labels"],
)  # fmt: skip
def test_bad_conll_and_brat_change_nothing(run, db: Path, tmp_path: Path, case: str) -> None:
    name, message = _bad(tmp_path)[case]
    assert run("import", str(SEED)).exit_code == 0
    before = rows(db, "SELECT * FROM documents"), rows(db, "SELECT * FROM spans")
    good = tmp_path / "good.conll"
    good.write_text("Baku B-PLACE\n", encoding="utf-8")
    forced = _FORCED.get(case)
    files = [str(tmp_path / name)] if forced else [str(good), str(tmp_path / name)]
    result = run("import", *files, *(forced or []))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("annotator: error: "), result.stderr
    assert message in lines[0]
    assert (rows(db, "SELECT * FROM documents"), rows(db, "SELECT * FROM spans")) == before


def test_a_byte_order_mark_is_dropped_alike_with_and_without_an_ann(run, db: Path, tmp_path: Path) -> None:
    """brat counts the mark as a character (the .ann's offsets include it); the document text drops it,
    as the same .txt imported alone does."""
    (tmp_path / "pair").mkdir()
    (tmp_path / "alone").mkdir()
    for folder in ("pair", "alone"):
        (tmp_path / folder / "a.txt").write_bytes(b"\xef\xbb\xbfParis or Baku")
    ann = "T1\tPLACE 1 6\tParis\nT2\tPLACE 10 14\tBaku\n"
    (tmp_path / "pair" / "a.ann").write_text(ann, encoding="utf-8")
    assert run("import", str(tmp_path / "pair"), "--as", "alice").exit_code == 0
    result = run("import", str(tmp_path / "alone" / "a.txt"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("; 1 already present\n")
    assert rows(db, "SELECT text FROM documents") == [("Paris or Baku",)]
    assert sorted(rows(db, 'SELECT start, "end", label FROM spans')) == [(0, 5, "PLACE"), (9, 13, "PLACE")]
