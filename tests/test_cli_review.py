"""Command-line fixes from the QA review: bad usage, honest counts, read-only commands, busy databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import ImportRecord, Span
from annotator.store import Store


def usage_error(result, message: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr


def make_project(db: Path) -> None:
    with Store(db) as store:
        store.import_records(
            [ImportRecord("Alice met Bob in Paris.", "k1", "t", spans=[Span(0, 5, "ACTOR")])], "alice"
        )


# --- item 15: bad usage is exit 2, counts say what happened ---------------------------------------------


def test_agreement_worst_must_not_be_negative(run, db: Path) -> None:
    make_project(db)
    usage_error(run("agreement", "--worst", "-1"), "Invalid value for '--worst': -1 is not in the range x>=0")
    assert run("agreement", "--worst", "0").exit_code == 0


def test_seed_needs_split(run, db: Path, tmp_path: Path) -> None:
    make_project(db)
    usage_error(run("export", "--format", "jsonl", "--seed", "3", "--out", "-"), "--seed shuffles")
    result = run(
        "export", "--format", "jsonl", "--seed", "3", "--split", "0.5,0.5", "--out", str(tmp_path / "s")
    )
    assert result.exit_code == 0, result.stderr


def test_empty_layer_names_are_bad_usage(run, db: Path, tmp_path: Path) -> None:
    make_project(db)
    text = tmp_path / "a.txt"
    text.write_text("Some text.", encoding="utf-8")
    before = db.read_bytes()
    usage_error(run("import", str(text), "--as", ""), "Invalid value for '--as': give a layer name")
    usage_error(
        run("export", "--format", "jsonl", "--layer", " ", "--out", "-"), "Invalid value for '--layer'"
    )
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kb.tsv", "Paris,PLACE\n", "kb.tsv:1: no label: the line has no tab but commas: if it is CSV,"
         " name the file .csv"),
        ("kb.csv", "Paris\tPLACE\n", "kb.csv:1: no label: the line has no comma but tabs: if it is TSV,"
         " name the file .tsv"),
    ],
)  # fmt: skip
def test_kb_import_hints_at_the_delimiter(run, tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("kb", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {tmp_path}/{message}\n"


def test_kb_import_counts_added_and_replaced(run, tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text("name,label,aliases,id\nParis,PLACE,,p1\nLyon,PLACE,,\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("Paris,PLACE,Paname,p1\nNice,PLACE,,\nLyon,PLACE,,\n", encoding="utf-8")
    assert run("kb", "import", str(first)).stdout == f"added 2 knowledge-base entries from {first}\n"
    assert run("kb", "import", str(second)).stdout == (
        f"added 1 knowledge-base entry, replaced 2 with the same id and label from {second}\n"
    )


def test_merge_reports_renamed_keys(run, db: Path, tmp_path: Path) -> None:
    make_project(db)
    other = tmp_path / "other.db"
    with Store(other) as store:
        store.import_records([ImportRecord("A different text.", "k1", "t", spans=[])], "bob")
    result = run("merge", str(other))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("0 conflict(s); 1 key(s) taken, suffixed with a hash\n")
    with Store(db) as store:
        assert (
            len([k for k in (store.document(i).key for i in store.document_ids()) if k.startswith("k1-")])
            == 1
        )


def test_kb_search_limit_has_help(run) -> None:
    result = run("kb", "search", "--help")
    assert "At most this many results per query." in result.stdout


# --- item 14: kb search input -------------------------------------------------------------------------


@pytest.fixture
def kb_project(run, tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_text("Paris,PLACE,,p1\nNice,PLACE,,n1\n", encoding="utf-8")
    assert run("kb", "import", str(path)).exit_code == 0


def test_kb_search_stdin_drops_crlf(db: Path, kb_project: None) -> None:
    # a real process: CliRunner's stdin translates line ends, sys.stdin does not
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "kb", "search", "-", "--json"],
        input=b"Paris\r\n\r\nNice\r\n",
        capture_output=True,
        check=True,
    )
    found = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [(f["query"], f["kb_id"]) for f in found] == [("Paris", "p1"), ("Nice", "n1")]


def test_kb_search_stdin_not_utf8(run, db: Path, kb_project: None) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(db), "kb", "search", "-"], input=b"Paris\nNi\xffce\n", catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "annotator: error: stdin:2: not UTF-8: byte 0xff at column 3\n"


def test_kb_search_unknown_label_and_empty_query(run, db: Path, kb_project: None) -> None:
    result = run("kb", "search", "Paris", "--label", "BOGUS")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"annotator: error: {db}: unknown label 'BOGUS' (known: ACTOR, PLACE, EVENT)\n"
    assert run("kb", "search", "Paris", "--label", "PLACE").stdout.startswith("100.0  PLACE  Paris")
    usage_error(run("kb", "search", ""), "Invalid value for QUERY: a name to look up")
    usage_error(run("kb", "search", "  "), "Invalid value for QUERY")
