"""annotator export: golden files byte for byte, the defaults, --split and --seed, the reports, the token
cache."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from annotator.store import Store
from tests import export_fixture
from tests.conftest import GOLDEN, make_project, usage_error

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def assert_golden(actual: bytes, name: str) -> None:
    """``actual`` equals the golden file byte for byte (UPDATE_GOLDEN=1 rewrites it, to be reviewed)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
    assert actual == path.read_bytes(), f"{name} differs from the golden file"


@pytest.fixture
def project(run, tmp_path: Path) -> Path:
    """A database with the fixture in layer gold (done), and a document gold has not touched."""
    fixture = export_fixture.write(tmp_path / "fixture.jsonl")
    assert run("import", str(fixture), "--as", "gold").exit_code == 0
    untouched = tmp_path / "untouched.txt"
    untouched.write_text("Gold has not seen Baku yet.", encoding="utf-8")
    assert run("import", str(untouched)).exit_code == 0
    return tmp_path


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (["--format", "conll"], "gold.conll"),
        (["--format", "conll", "--scheme", "bilou", "--columns", "4"], "gold.bilou.4.conll"),
        (["--format", "jsonl"], "gold.jsonl"),
        (["--format", "doccano"], "gold.doccano.jsonl"),
    ],
)
def test_file_formats_match_their_golden_files(run, project: Path, args: list[str], golden: str) -> None:
    out = project / "out"
    result = run("export", *args, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert_golden(out.read_bytes(), golden)
    assert "exported 4 documents" in result.stderr


def test_brat_folder_matches_the_golden_folder(run, project: Path) -> None:
    out = project / "brat"
    result = run("export", "--format", "brat", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir() if p.name != ".annotator-export.json")
    assert names == sorted(
        ["annotation.conf", "seed.txt", "seed.ann", "mixed.txt", "mixed.ann", "empty.txt", "empty.ann",
         "off_grid_1-ab384a51.txt", "off_grid_1-ab384a51.ann"]
    )  # fmt: skip
    for name in names:
        assert_golden((out / name).read_bytes(), f"brat/{name}")
    assert (out / "seed.txt").read_bytes() == export_fixture.SEED.read_bytes()


def test_stdout_holds_exactly_the_file(run, project: Path) -> None:
    result = run("export", "--format", "conll", "--out", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.encode("utf-8") == (GOLDEN / "gold.conll").read_bytes()


def test_conll_reports_widened_and_dropped_spans(run, project: Path) -> None:
    quiet = run("export", "--format", "conll", "--out", str(project / "a.conll"))
    assert quiet.stderr.strip().splitlines() == [
        f"exported 4 documents, 24 spans, 574 tokens from layer 'gold' (documents in progress"
        f" or done) to {project / 'a.conll'}; 1 span widened to whole tokens, 4 spans dropped"
        " (overlapping: the longest kept; or holding no token); --verbose lists them"
    ]
    loud = run("export", "--format", "conll", "--out", str(project / "a.conll"), "--verbose")
    assert_golden(loud.stderr.encode("utf-8").replace(str(project).encode(), b"TMP"), "gold.conll.stderr")


def test_default_layer_is_gold_when_it_has_spans_else_the_user(run, project: Path, monkeypatch) -> None:
    monkeypatch.chdir(project)
    assert run("export", "--format", "doccano").exit_code == 0
    assert (project / "exports" / "gold.doccano.jsonl").is_file()

    other = project / "bob.jsonl"
    other.write_text(json.dumps({"text": "Bob saw Baku.", "spans": []}) + "\n", encoding="utf-8")
    assert run("import", str(other), "--as", "bob").exit_code == 0
    conn = sqlite3.connect(project / "project.db")
    conn.execute("DELETE FROM spans WHERE layer = 'gold'")
    conn.commit()
    conn.close()
    result = run("export", "--format", "conll", "--scheme", "bilou", user="bob")
    assert result.exit_code == 0, result.stderr
    assert "from layer 'bob' (documents marked done)" in result.stderr
    assert (project / "exports" / "bob.bilou.conll").read_text(encoding="utf-8") == (
        "-DOCSTART- O\n\nBob O\nsaw O\nBaku O\n. O\n\n"
    )
    assert run("export", "--format", "brat").exit_code == 1  # alice has no layer
    missing = run("export", "--format", "brat", user="alice")
    assert missing.stderr.startswith("annotator: error: ")
    assert "no layer 'alice' and layer 'gold' has no spans (layers: bob, gold)" in missing.stderr


def test_done_only_by_default_for_an_annotator_and_all_on_request(run, project: Path) -> None:
    store = Store(project / "project.db")
    seed, mixed = store.documents.id_of("seed"), store.documents.id_of("mixed")
    store.progress.set_status(seed, "gold", "in_progress")
    from annotator.model import Span

    store.edits.edit(mixed, "carol", add=[Span(0, 5, "ACTOR")])  # in progress, not done
    store.close()
    out = project / "o.jsonl"

    def keys(*args: str, user: str = "alice") -> list[str]:
        result = run("export", "--format", "jsonl", "--out", str(out), *args, user=user)
        assert result.exit_code == 0, result.stderr
        return [json.loads(line)["meta"]["key"] for line in out.read_text(encoding="utf-8").splitlines()]

    assert keys() == ["seed", "mixed", "off grid/1", "empty"]  # gold: worked on
    assert keys("--done-only") == ["mixed", "off grid/1", "empty"]
    assert len(keys("--all")) == 5
    none = run("export", "--format", "jsonl", "--layer", "carol", "--out", str(out))
    assert none.exit_code == 1
    assert "no documents to export: layer 'carol' has no documents marked done; --all exports" in none.stderr
    assert keys("--layer", "carol", "--all")[1] == "mixed"


def test_split_is_by_document_deterministic_and_complete(run, project: Path) -> None:
    def split(seed: str, fmt: str = "jsonl") -> dict[str, list[str]]:
        out = project / f"split-{seed}-{fmt}"
        result = run("export", "--format", fmt, "--split", "0.5,0.25,0.25", "--seed", seed, "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert "(train 2, dev 1, test 1)" in result.stderr
        if fmt == "brat":
            return {
                p.name: sorted(f.stem for f in p.glob("*.txt")) for p in sorted(out.iterdir()) if p.is_dir()
            }
        return {
            p.stem: [json.loads(line)["meta"]["key"] for line in p.read_text(encoding="utf-8").splitlines()]
            for p in sorted(out.glob("*.jsonl"))
        }

    first = split("7")
    assert sorted(first) == ["dev", "test", "train"]
    assert sorted(k for keys in first.values() for k in keys) == ["empty", "mixed", "off grid/1", "seed"]
    assert [len(first[p]) for p in ("train", "dev", "test")] == [2, 1, 1]
    assert split("7") == first
    assert any(split(str(seed)) != first for seed in range(1, 6))
    brat = split("7", "brat")
    assert {part: len(stems) for part, stems in brat.items()} == {"dev": 1, "test": 1, "train": 2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "jsonl", "--scheme", "bilou"], "--scheme and --columns apply to --format conll only"),
        (["--format", "conll", "--split", "0.8,0.3"], "add up to 1"),
        (["--format", "conll", "--split", "a,b"], "fractions separated by commas"),
        (["--format", "brat", "--out", "-"], "not standard output"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_usage_exits_2(run, project: Path, args: list[str], message: str) -> None:
    result = run("export", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_token_cache_is_filled_once_and_a_stale_one_is_replaced(run, project: Path) -> None:
    db = project / "project.db"
    out = project / "a.conll"
    assert run("export", "--format", "conll", "--out", str(out)).exit_code == 0
    conn = sqlite3.connect(db)
    cached = conn.execute("SELECT doc_id, version FROM token_cache ORDER BY doc_id").fetchall()
    assert len(cached) == 4  # the documents exported, not the untouched one
    conn.execute("UPDATE token_cache SET version = 'old', tokens = x'', sentences = x'' WHERE doc_id = 1")
    # another text's tokens under this document's id, as a deletion without foreign keys could leave them
    conn.execute("UPDATE token_cache SET hash = 'other', tokens = x'01', sentences = x'' WHERE doc_id = 2")
    conn.commit()
    assert run("export", "--format", "conll", "--out", str(out)).exit_code == 0
    assert out.read_bytes() == (GOLDEN / "gold.conll").read_bytes()
    assert conn.execute("SELECT doc_id, version FROM token_cache ORDER BY doc_id").fetchall() == cached
    assert conn.execute("SELECT count(*) FROM token_cache c JOIN documents d ON d.id = c.doc_id"
                        " WHERE c.hash = d.hash").fetchone() == (4,)  # fmt: skip
    conn.close()


def test_an_export_that_fails_leaves_no_file(run, project: Path, monkeypatch) -> None:
    from annotator.formats import jsonl

    real = jsonl.format_document
    written: list[str] = []

    def fail_on_the_third(*args, **kwargs) -> str:
        if len(written) == 2:
            raise RuntimeError("disk full")
        written.append(real(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(jsonl, "format_document", fail_on_the_third)
    out = project / "x.jsonl"
    assert run("export", "--format", "conll", "--out", str(out)).exit_code == 0
    previous = out.read_bytes()
    with pytest.raises(RuntimeError, match="disk full"):
        run("export", "--format", "jsonl", "--out", str(out))
    assert out.read_bytes() == previous
    assert [p.name for p in project.iterdir() if p.name.startswith(".x.jsonl")] == []


def test_export_of_a_missing_database_creates_none(run, db: Path) -> None:
    result = run("export", "--format", "conll")
    assert result.exit_code == 1
    assert "no such database" in result.stderr
    assert not db.exists()


def test_seed_needs_split(run, db: Path, tmp_path: Path) -> None:
    make_project(db)
    usage_error(run("export", "--format", "jsonl", "--seed", "3", "--out", "-"), "--seed shuffles")
    result = run(
        "export", "--format", "jsonl", "--seed", "3", "--split", "0.5,0.5", "--out", str(tmp_path / "s")
    )
    assert result.exit_code == 0, result.stderr
