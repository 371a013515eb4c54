"""Command-line fixes from the QA review: bad usage, honest counts, read-only commands, busy databases."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import ImportRecord, Span
from annotator.store import Store
from tests.conftest import SEED


def usage_error(result, message: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr


def make_project(db: Path) -> None:
    with Store(db) as store:
        store.documents.import_records(
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
        store.documents.import_records([ImportRecord("A different text.", "k1", "t", spans=[])], "bob")
    result = run("merge", str(other))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("0 conflict(s); 1 key(s) taken, suffixed with a hash\n")
    with Store(db) as store:
        keys = [store.documents.get(i).key for i in store.documents.ids()]
        assert len([k for k in keys if k.startswith("k1-")]) == 1


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


# --- item 5: commands that only read never create or change a database ------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["agreement"],
        ["disagreements", "--json"],
        ["kb", "search", "Paris"],
        ["suggest"],
        ["assign", "--users", "alice,bob"],
        ["annotate"],
        ["review"],
    ],
)
def test_reading_a_missing_database_is_an_error(run, db: Path, args: list[str]) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"annotator: error: {db}: no such database (use 'annotator import PATH' to create one)\n"
    )
    assert list(db.parent.iterdir()) == []


def test_an_empty_file_is_not_made_a_database_by_reading(run, db: Path) -> None:
    db.touch()
    result = run("stats")
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {db}: empty database, no annotator tables"
        " (use 'annotator import PATH' to fill it)\n"
    )
    assert db.read_bytes() == b""
    assert run("import", str(SEED)).exit_code == 0  # import fills it
    assert run("stats", "--json").exit_code == 0


def test_another_applications_database_is_refused_untouched(run, db: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    kb = tmp_path / "kb.csv"
    kb.write_text("Paris,PLACE\n", encoding="utf-8")
    other = tmp_path / "other.db"
    make_project(other)
    commands = [["stats"], ["import", str(SEED)], ["kb", "import", str(kb)], ["merge", str(other)]]
    for args in [*commands, ["suggest"]]:
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"annotator: error: {db}: not an annotator database: it holds another application's tables;"
            " give another --db\n"
        )
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, "kb.csv", other.name])


def test_commands_that_add_create_the_database(run, db: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.csv"
    kb.write_text("Paris,PLACE\n", encoding="utf-8")
    assert run("kb", "import", str(kb)).exit_code == 0
    assert db.is_file()
    db.unlink()
    other = tmp_path / "other.db"
    make_project(other)
    assert run("merge", str(other)).exit_code == 0
    assert run("stats", "--json").exit_code == 0


# --- item 4: a busy database makes writers wait for the busy timeout, not fail at once ----------------

HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE doc_status SET updated = updated")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


@pytest.fixture
def hold_write_lock(db: Path):
    """Start another process that holds the database's write lock for ``seconds``."""
    started: list[subprocess.Popen[str]] = []

    def hold(seconds: float) -> subprocess.Popen[str]:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_WRITE_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
        )
        started.append(holder)
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        return holder

    yield hold
    for holder in started:
        holder.kill()
        holder.wait()


def document_count(db: Path) -> int:
    with Store(db) as store:
        return store.documents.count()


def test_import_waits_for_another_writer(run, db: Path, tmp_path: Path, hold_write_lock) -> None:
    make_project(db)
    fresh = tmp_path / "fresh.txt"
    fresh.write_text("A new article about Yerevan.", encoding="utf-8")
    holder = hold_write_lock(1.0)
    result = run("import", str(fresh))
    assert result.exit_code == 0, result.stderr
    assert holder.poll() == 0  # it had to wait until the other writer committed
    assert document_count(db) == 2


def test_an_edit_waits_for_another_writer(db: Path, hold_write_lock) -> None:
    make_project(db)
    with Store(db) as store:
        doc_id = store.documents.ids()[0]
        store.edits.spans(doc_id, "bob")  # a read first, as the annotation screen does
        hold_write_lock(1.0)
        store.edits.edit(doc_id, "bob", add=[Span(10, 13, "ACTOR")], who="bob")
        store.progress.set_status(doc_id, "bob", "done")
    with Store(db) as store:
        assert [(s.start, s.end) for s in store.edits.spans(doc_id, "bob")] == [(10, 13)]


def test_import_gives_up_after_the_busy_timeout(
    run, db: Path, tmp_path: Path, hold_write_lock, monkeypatch
) -> None:
    monkeypatch.setattr("annotator.store.connection.BUSY_TIMEOUT_S", 0.3)
    make_project(db)
    fresh = tmp_path / "fresh.txt"
    fresh.write_text("A new article about Yerevan.", encoding="utf-8")
    holder = hold_write_lock(30)
    result = run("import", str(fresh))
    assert holder.poll() is None
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"annotator: error: {db}: database is locked\n"
    holder.kill()
    holder.wait()
    assert document_count(db) == 1
