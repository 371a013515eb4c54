"""`annotator import`: text folders, JSONL and doccano, duplicates and key clashes, bad input that changes
nothing, empty layer names, and a busy database that makes the import wait."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.store import Store
from tests.conftest import SEED, make_project, usage_error


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_txt_folder_import_keeps_the_seed_byte_for_byte(run, db: Path) -> None:
    result = run("import", str(SEED.parent))
    assert result.exit_code == 0, result.stderr
    assert "imported 1 document and " in result.stdout
    [(key, text)] = rows(db, "SELECT key, text FROM documents")
    assert key == SEED.stem
    assert text == SEED.read_text(encoding="utf-8")
    assert "\u00a0" in text and "killed’" in text


def test_importing_the_same_text_twice_adds_nothing(run, db: Path, tmp_path: Path) -> None:
    run("import", str(SEED))
    copy = tmp_path / "copy.txt"
    copy.write_bytes(SEED.read_bytes())
    again = run("import", str(SEED), str(copy))
    assert again.exit_code == 0
    assert "imported 0 documents" in again.stdout and "2 already present" in again.stdout
    assert rows(db, "SELECT count(*) FROM documents") == [(1,)]


def test_jsonl_with_spans_goes_to_the_layer_asked_for(run, db: Path, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"text": "Troops left Gubadli.", "id": "d1", "meta": {"source": "x"},
             "spans": [{"start": 12, "end": 19, "label": "PLACE", "text": "Gubadli"}]},
            {"text": "No spans here.", "id": "d2"},
            {"text": "Rejected Paris.", "spans": [{"start": 9, "end": 14, "label": "PLACE"}],
             "answer": "reject"},
        ],
    )  # fmt: skip
    result = run("import", str(path), "--as", "bob")
    assert result.exit_code == 0, result.stderr
    assert rows(db, 'SELECT d.key, s.layer, s.start, s."end", s.label FROM spans s JOIN documents d'
                " ON d.id = s.doc_id") == [("d1", "bob", 12, 19, "PLACE")]  # fmt: skip
    assert rows(db, "SELECT layer, status FROM doc_status") == [("bob", "done")]
    assert json.loads(rows(db, "SELECT meta FROM documents WHERE key = 'd1'")[0][0]) == {"source": "x"}
    keys = [k for (k,) in rows(db, "SELECT key FROM documents ORDER BY id")]
    assert keys[:2] == ["d1", "d2"] and len(keys[2]) == 16  # no id: a short hash of the text


def test_jsonl_layer_from_the_record_and_offsets_moved_by_cleaning(run, db: Path, tmp_path: Path) -> None:
    text = "Line one\r\nin Rome\x1b today"
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [{"text": text, "_annotator_id": "carol",
          "spans": [{"start": 13, "end": 17, "label": "PLACE"}, {"start": 19, "end": 24, "label": "EVENT"}]}],
    )  # fmt: skip
    assert run("import", str(path)).exit_code == 0
    [(stored,)] = rows(db, "SELECT text FROM documents")
    assert stored == "Line one\nin Rome today"
    spans = rows(db, 'SELECT layer, start, "end" FROM spans ORDER BY start')
    assert [stored[s:e] for _, s, e in spans] == ["Rome", "today"]
    assert {layer for layer, _, _ in spans} == {"carol"}


def test_doccano_both_shapes(run, db: Path, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"id": 7, "text": "Baku and Yerevan", "label": [[0, 4, "PLACE"], [9, 16, "PLACE"]]},
            {"id": 8, "text": "Talks in Moscow",
             "entities": [{"start_offset": 9, "end_offset": 15, "label": "PLACE"}]},
        ],
    )  # fmt: skip
    result = run("import", str(path), "--as", "dana")
    assert result.exit_code == 0, result.stderr
    assert rows(db, 'SELECT d.key, s.start, s."end" FROM spans s JOIN documents d ON d.id = s.doc_id'
                " ORDER BY d.key, s.start") == [("7", 0, 4), ("7", 9, 16), ("8", 9, 15)]  # fmt: skip


def test_same_key_different_text_gets_a_suffix(run, db: Path, tmp_path: Path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "story.txt").write_text("First story.", encoding="utf-8")
    (b / "story.txt").write_text("Second story.", encoding="utf-8")
    result = run("import", str(a), str(b))
    assert result.exit_code == 0
    keys = sorted(k for (k,) in rows(db, "SELECT key FROM documents"))
    assert keys[0] == "story" and keys[1].startswith("story-")


def test_stats_json(run, tmp_path: Path) -> None:
    run("import", str(SEED))
    path = write_jsonl(
        tmp_path / "a.jsonl", [{"text": "Baku", "spans": [{"start": 0, "end": 4, "label": "PLACE"}]}]
    )
    run("import", str(path), "--as", "bob")
    data = json.loads(run("stats", "--json").stdout)
    assert data["documents"] == 2
    assert data["labels"]["PLACE"] == 1
    assert data["layers"]["bob"]["documents_done"] == 1
    table = run("stats").stdout
    assert "bob" in table and "2 documents" in table


# --- bad input: one clear line, exit 1, no traceback, nothing changed ---------------------------


def _bad_cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    (tmp / "latin1.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1"))
    (tmp / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_bytes(b" \n\t\n")
    (tmp / "nofiles").mkdir()
    (tmp / "nofiles" / "image.png").write_bytes(b"x")
    (tmp / "notjson.jsonl").write_text('{"text": "ok"}\n{"text": broken\n', encoding="utf-8")
    (tmp / "notext.jsonl").write_text('{"text": "ok"}\n{"body": "no text"}\n', encoding="utf-8")
    (tmp / "outside.jsonl").write_text(
        '{"text": "short", "spans": [{"start": 2, "end": 40, "label": "PLACE"}]}\n', encoding="utf-8"
    )
    (tmp / "backwards.jsonl").write_text(
        '{"text": "short", "spans": [{"start": 3, "end": 3, "label": "PLACE"}]}\n', encoding="utf-8"
    )
    (tmp / "label.jsonl").write_text(
        '{"text": "Baku", "spans": [{"start": 0, "end": 4, "label": "CITY"}]}\n', encoding="utf-8"
    )
    (tmp / "badline.jsonl").write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    return {
        "latin1": (["latin1.txt"], "not UTF-8: byte 0xe9"),
        "binary": (["binary.txt"], "binary file"),
        "empty": (["empty.txt"], "empty file"),
        "blank": (["blank.txt"], "empty file"),
        "nofiles": (["nofiles"], "no files to import"),
        "notjson": (["notjson.jsonl"], ":2: not JSON"),
        "notext": (["notext.jsonl"], ":2: record has no 'text'"),
        "outside": (["outside.jsonl"], ":1: span 1 (2, 40, PLACE) is outside the text"),
        "backwards": (["backwards.jsonl"], "start is not before its end"),
        "label": (["label.jsonl"], ":1: unknown label 'CITY'"),
        "badline": (["badline.jsonl"], ":2: not UTF-8"),
        "missing": (["does-not-exist.txt"], "does-not-exist.txt: no such file or folder"),
    }


CASES = [
    "latin1", "binary", "empty", "blank", "nofiles", "notjson", "notext", "outside", "backwards",
    "label", "badline", "missing",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("with_existing_db", [False, True])
def test_bad_input_changes_nothing(run, db: Path, tmp_path: Path, case: str, with_existing_db: bool) -> None:
    files, message = _bad_cases(tmp_path)[case]
    if with_existing_db:
        assert run("import", str(SEED)).exit_code == 0
        before = rows(db, "SELECT * FROM documents"), rows(db, "SELECT * FROM spans")
    # a good file before the bad one: the whole import is one transaction
    good = tmp_path / "good.txt"
    good.write_text("A good article about Baku.", encoding="utf-8")
    result = run("import", str(good), *(str(tmp_path / f) for f in files))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("annotator: error: ") and message in lines[0]
    assert str(tmp_path) in lines[0]
    if with_existing_db:
        assert (rows(db, "SELECT * FROM documents"), rows(db, "SELECT * FROM spans")) == before
    else:
        assert not db.exists()


def test_a_file_that_is_not_sqlite(run, db: Path) -> None:
    db.write_text("this is not a database\n" * 100)
    before = db.read_bytes()
    result = run("import", str(SEED))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "not an annotator database" in result.stderr
    assert db.read_bytes() == before


def test_a_database_from_a_newer_schema(run, db: Path) -> None:
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('annotator', '9999_future', 'x')"
    )
    conn.commit()
    conn.close()
    result = run("import", str(SEED))
    assert result.exit_code == 1
    assert "schema is newer" in result.stderr and "9999_future" in result.stderr
    assert rows(db, "SELECT count(*) FROM documents") == [(0,)]


def test_unknown_format_is_usage_or_data_error(run, tmp_path: Path) -> None:
    odd = tmp_path / "notes.md"
    odd.write_text("# hi", encoding="utf-8")
    result = run("import", str(odd))
    assert result.exit_code == 1 and "use --format" in result.stderr
    assert run("import", str(odd), "--format", "nope").exit_code == 2
    assert run("import", str(odd), "--format", "txt").exit_code == 0


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


# --- a busy database makes writers wait for the busy timeout, not fail at once -------------------------


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
