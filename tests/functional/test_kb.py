"""The knowledge base through the command line: `kb import` formats, errors and counts, `kb search` and its
input, and the index kept next to the database, rebuilt when the KB changes or the index is damaged."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.kb import (
    index_folder,
)
from tests.conftest import load_kb, usage_error

SMALL_KB = """name,label,aliases,id
Qubadlı,PLACE,Kubadli|Qubadli,geonames:147305
Askyaran,PLACE,,geonames:148450
Martakert,PLACE,Aghdara|Mardakert,place:martakert
Martuni,PLACE,,geonames:616438
Nagorno-Karabakh,PLACE,Artsakh|Karabakh,place:nk
Mike Pompeo,ACTOR,Pompeo,
"""


def count(db: Path, table: str = "kb_entries") -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def small_kb(run, tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(SMALL_KB, encoding="utf-8")
    result = run("kb", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "added 6 knowledge-base entries" in result.stdout


def search(run, query: str, *args: str) -> list[dict]:
    result = run("kb", "search", query, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("query", "expected", "text"),
    [
        ("Gubadli", "Qubadlı", "Qubadli|Kubadli"),  # one letter from both
        ("qubadli", "Qubadlı", "Qubadlı"),
        ("QUBADLI", "Qubadlı", "Qubadlı"),
        ("Askeran", "Askyaran", "Askyaran"),
        ("Martakertt", "Martakert", "Martakert"),
        ("Mardakert", "Martakert", "Mardakert"),
        ("Nagorno Karabakh", "Nagorno-Karabakh", "Nagorno-Karabakh"),
        ("nagorno-karabah", "Nagorno-Karabakh", "Nagorno-Karabakh"),
    ],
)
def test_search_finds_close_spellings_first(run, small_kb, query: str, expected: str, text: str) -> None:
    found = search(run, query)
    assert found[0]["name"] == expected
    assert found[0]["text"] in text.split("|")
    assert set(found[0]) == {"name", "text", "label", "score", "kb_id"}
    assert found[0]["score"] == max(r["score"] for r in found)


def test_search_label_limit_and_stdin_batch(run, small_kb) -> None:
    assert [r["name"] for r in search(run, "Pompeo", "--label", "ACTOR")] == ["Mike Pompeo"]
    assert search(run, "Pompeo", "--label", "EVENT") == []
    assert len(search(run, "Martuni", "--limit", "1")) == 1
    result = run("kb", "search", "-", "--json", "--limit", "1", input="Gubadli\nAskeran\n")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["query"], r["name"]) for r in lines] == [("Gubadli", "Qubadlı"), ("Askeran", "Askyaran")]
    text = run("kb", "search", "Askeran")
    assert text.exit_code == 0 and text.stdout == " 80.0  PLACE  Askyaran  geonames:148450\n"


def test_search_prefers_the_better_known_entity_on_equal_scores(run, tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text(
        '{"name": "Geneva", "label": "PLACE", "id": "small", "prominence": 13062}\n'
        '{"name": "Geneva", "label": "PLACE", "id": "big", "prominence": 201741}\n'
        '{"name": "Genova", "label": "PLACE", "id": "other", "prominence": 900000}\n',
        encoding="utf-8",
    )
    assert run("kb", "import", str(path)).exit_code == 0
    assert [r["kb_id"] for r in search(run, "Geneva")] == ["big", "small", "other"]


def test_kb_import_tsv_jsonl_and_default_label(run, db: Path, tmp_path: Path) -> None:
    tsv = tmp_path / "actors.tsv"
    tsv.write_text("OSCE Minsk Group\t\tMinsk Group\n", encoding="utf-8")
    assert run("kb", "import", str(tsv), "--label", "ACTOR").exit_code == 0
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text(
        json.dumps({"name": "Second Karabakh War", "label": "EVENT", "aliases": ["44-day war"], "id": 7})
        + "\n",
        encoding="utf-8",
    )
    assert run("kb", "import", str(jsonl)).exit_code == 0
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT kb_id, name, label, aliases FROM kb_entries ORDER BY id").fetchall()
    conn.close()
    assert rows == [
        ("ACTOR:OSCE Minsk Group", "OSCE Minsk Group", "ACTOR", '["Minsk Group"]'),
        ("7", "Second Karabakh War", "EVENT", '["44-day war"]'),
    ]
    assert search(run, "44 day war")[0]["name"] == "Second Karabakh War"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "Paris,PLACE\nLyon\n", "a.csv:2: no label"),
        ("b.csv", "Paris,PLACE\nLyon,CITY\n", "b.csv:2: unknown label 'CITY'"),
        ("c.csv", "Paris,PLACE\n,PLACE\n", "c.csv:2: name must be a non-empty string"),
        ("d.csv", "Paris,PLACE\nLyon,PLACE,,id,extra\n", "d.csv:2: 5 columns"),
        ("e.tsv", 'Paris\tPLACE\n"Lyon\tPLACE\n', "e.tsv:2: bad TSV"),
        ("f.jsonl", '{"name": "Paris", "label": "PLACE"}\n{"name": "Lyon",\n', "f.jsonl:2: not JSON"),
        ("g.jsonl", '{"name": "Paris", "label": "PLACE"}\n["Lyon"]\n', "g.jsonl:2: expected a JSON object"),
        (
            "h.jsonl",
            '{"name": "Paris", "label": "PLACE", "aliases": "Paname"}\n',
            "h.jsonl:1: aliases must be",
        ),
        (
            "i.jsonl",
            '\n\n{"name": "Paris", "label": "PLACE", "id": true}\n',
            "i.jsonl:3: id must be a string",
        ),
        ("j.csv", b"Paris,PLACE\nLy\xffon,PLACE\n", "j.csv:2: not UTF-8"),
        ("k.csv", "\n\n", "k.csv: no entries"),
    ],
)
def test_kb_import_bad_input_is_one_line_and_imports_nothing(
    run, db: Path, tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert run("kb", "import", str(tmp_path / "ok.csv")).exit_code == 1  # a missing file too
    result = run("kb", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("annotator: error: ") and message in result.stderr, result.stderr
    if db.exists():
        assert count(db) == 0


def test_index_is_kept_next_to_the_database_and_rebuilt_when_the_kb_changes(run, db: Path, small_kb) -> None:
    folder = index_folder(db)
    assert (folder / "meta.json").is_file()  # built by `kb import`, not by the first search
    version = json.loads((folder / "meta.json").read_text())["version"]
    mtime = (folder / "key_hash.npy").stat().st_mtime_ns
    assert search(run, "Gubadli")[0]["name"] == "Qubadlı"
    assert (folder / "key_hash.npy").stat().st_mtime_ns == mtime  # opened, not rebuilt
    kb = load_kb(db)
    assert kb.index is not None and kb.index.version == version
    extra = db.parent / "more.csv"
    extra.write_text("Khojavend,PLACE,Martuni district\n", encoding="utf-8")
    assert run("kb", "import", str(extra)).exit_code == 0
    assert json.loads((folder / "meta.json").read_text())["version"] != version
    assert search(run, "Khojavent")[0]["name"] == "Khojavend"


def test_index_can_be_loaded_in_a_background_thread(run, db: Path, small_kb) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        kb = pool.submit(load_kb, db).result(timeout=30)
    assert kb.search("Gubadli")[0].name == "Qubadlı"


def test_a_damaged_kept_index_is_rebuilt(run, db: Path, small_kb) -> None:
    folder = index_folder(db)
    (folder / "tri_keys.npy").unlink()
    (folder / "key_hash.npy").write_bytes(b"not numpy")
    rebuilt = run("kb", "search", "Gubadli", "--json")
    assert rebuilt.stderr == "annotator: building the knowledge-base index...\n"
    assert json.loads(rebuilt.stdout.splitlines()[0])["name"] == "Qubadlı"
    assert run("kb", "search", "Gubadli").stderr == ""  # kept again
    assert (folder / "tri_keys.npy").is_file()
    (folder / "meta.json").write_text("{", encoding="utf-8")
    assert load_kb(db).search("Askeran")[0].name == "Askyaran"


# --- kb import: a hint at the delimiter, what was added and what replaced ------------------------------


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


# --- kb search: its help, input from stdin, labels and empty queries -----------------------------------


def test_kb_search_limit_has_help(run) -> None:
    result = run("kb", "search", "--help")
    assert "At most this many results per query." in result.stdout


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


def test_search_min_score_keeps_only_the_close_results(run, small_kb) -> None:
    every = search(run, "Mart")  # Martuni about 73, Martakert about 62
    assert [r["name"] for r in every] == ["Martuni", "Martakert"]
    assert search(run, "Mart", "--min-score", "70") == every[:1]
    assert search(run, "Mart", "--min-score", "100") == []
    assert search(run, "Martuni", "--min-score", "100")[0]["name"] == "Martuni"
    bad = run("kb", "search", "Martuni", "--min-score", "101")
    assert bad.exit_code == 2 and "--min-score" in bad.stderr
