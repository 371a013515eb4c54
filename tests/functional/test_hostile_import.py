"""Hostile files given to import and kb import: one line naming the file (and line), exit 1, no traceback,
nothing imported; nothing that never ends (a FIFO, /dev/zero) is read."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


def _refused(run, db: Path, path: Path, expected: str, *args: str) -> None:
    before = _documents(db)
    result = run("import", str(path), *args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr == f"annotator: error: {expected}\n"
    assert _documents(db) == before


def test_json_nested_100000_deep_is_one_line(run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "Troops left.", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    _refused(run, db, path, f"{path}:1: not JSON this reads: nested too deep")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ('{"text": "Troops \\ud800 left."}', "the record's text: holds '\\ud800' at 7, which an import"),
        ('{"text": "Troops left.", "id": "a\\udc00"}', "key 'a\\udc00' holds the control character"),
        ('{"text": "Troops left.", "meta": {"x": "\\ud800"}}', "'meta' cannot be stored"),
        ('{"text": "Troops left.", "id": "\\u001b]0;pwned\\u001b\\\\"}', "key '\\x1b]0;pwned\\x1b\\\\'"),
        ('{"text": "Troops left.", "id": true}', "'id' must be a string or number, not true"),
        ('{"text": "\\u0001\\u0002\\u0003"}', "no text left once control characters are removed"),
    ],
    ids=["surrogate-text", "surrogate-id", "surrogate-meta", "osc-in-id", "id-true", "only-controls"],
)
def test_what_the_database_cannot_hold_is_refused(
    run, db: Path, tmp_path: Path, record: str, expected: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "A good one first."}\n' + record + "\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(f"annotator: error: {path}:2: ")
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr
    assert _documents(db) == 0


def test_a_brat_offset_of_5000_digits_is_one_line(run, db: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Troops left Gubadli.", encoding="utf-8")
    ann = tmp_path / "a.ann"
    ann.write_text(f"T1\tPLACE 0 {'9' * 5000}\tx\n", encoding="utf-8")
    _refused(run, db, ann, f"{ann}:1: T1: an offset of more than 18 digits, beyond any text")


def test_utf16_is_named_as_such(run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes("Troops left.".encode("utf-16"))
    _refused(run, db, path, f"{path}: UTF-16 text, not UTF-8: save it as UTF-8")


def _cli(db: Path, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("command", [["import", "--format", "txt"], ["kb", "import"]])
def test_dev_zero_is_refused_at_once(db: Path, command: list[str]) -> None:
    done = _cli(db, *command, "/dev/zero")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "annotator: error: /dev/zero: not a regular file (a FIFO, device or socket); import reads files\n"
    )


@pytest.mark.parametrize("command", [["import", "--format", "jsonl"], ["kb", "import"]])
def test_a_fifo_is_refused_without_waiting_for_a_writer(db: Path, tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    done = _cli(db, *command, str(fifo))  # on main this waits forever: the timeout fails the test
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stderr
    assert not db.exists() or _documents(db) == 0


def test_a_fifo_in_a_folder_is_refused(run, db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Troops left.", encoding="utf-8")
    os.mkfifo(folder / "b.txt")
    result = run("import", str(folder))
    assert result.exit_code == 0, result.stderr  # a FIFO is no file to import: it is not listed
    assert _documents(db) == 1


# --- kb import -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"name": "Baku", "label": "PLACE", "prominence": NaN}',
            "prominence must be a finite number, not nan",
        ),
        ('{"name": "Baku", "label": "PLACE", "prominence": 1e999}', "prominence must be a finite number"),
        ('{"name": "Ba\\ud800ku", "label": "PLACE"}', "a lone surrogate"),
        (
            '{"name": "Baku", "label": "PLACE", "aliases": ' + "[" * 50_000 + "]" * 50_000 + "}",
            "nested too deep",
        ),
    ],
    ids=["nan", "infinite", "surrogate", "deep"],
)
def test_kb_import_refuses_with_file_and_line(
    run, db: Path, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text('{"name": "Gubadli", "label": "PLACE"}\n' + content + "\n", encoding="utf-8")
    result = run("kb", "import", str(path))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(f"annotator: error: {path}:2: ")
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_kb_index_that_cannot_be_saved_is_said_and_leaves_no_folder(
    run, db: Path, tmp_path: Path, monkeypatch
) -> None:
    import errno

    import numpy as np

    stale = tmp_path / f"{db.name}.kbindex.tmp-{2**22 + 12345}"  # a save killed earlier: no such process
    stale.mkdir()
    (stale / "keys.npy").write_bytes(b"x" * 1000)
    path = tmp_path / "kb.jsonl"
    path.write_text('{"name": "Gubadli", "label": "PLACE"}\n', encoding="utf-8")
    real = np.save
    calls: list[object] = []

    def disk_full_on_the_third(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(np, "save", disk_full_on_the_third)
    result = run("kb", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {tmp_path / (db.name + '.kbindex')}: No space left on device: the knowledge base"
        " is saved, its index is not (it is built again when next needed)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir() if ".kbindex" in p.name) == []
    monkeypatch.setattr(np, "save", real)
    found = run("kb", "search", "Gubadli")
    assert found.exit_code == 0 and "Gubadli" in found.stdout  # the entries were kept; the index is built


# --- messages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["import"], ["kb", "import"], ["merge"]])
def test_an_unreadable_file_is_one_line_and_exit_1(
    run, tmp_path: Path, command: list[str], monkeypatch
) -> None:
    path = tmp_path / "locked.jsonl"
    path.write_text('{"text": "Troops left."}\n', encoding="utf-8")
    path.chmod(0)
    real_open = Path.open
    real_access = os.access

    def as_another_user(self: Path, *args: object, **kwargs: object):  # root reads every file
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", as_another_user)
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == path else real_access(p, mode)
    )
    result = run(*command, str(path))
    assert (result.exit_code, result.stderr) == (1, f"annotator: error: {path}: Permission denied\n")


def test_a_database_in_a_missing_folder_is_named(run, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "nofolder" / "x.db"
    text = tmp_path / "a.txt"
    text.write_text("Troops left.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(text)])
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {db}: no such folder {str(db.parent)!r}: create it first\n"
    assert not db.parent.exists()


def test_a_read_only_folder_says_so_even_for_stats(run, db: Path, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Troops left.", encoding="utf-8")
    assert run("import", str(text)).exit_code == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    made = subprocess.run(["chattr", "+i", str(tmp_path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("cannot make the folder immutable here (needs root and chattr)")
    try:
        result = run("stats")
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path)], check=True)
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {db}: cannot open the database to write (unable to open database file): the"
        " file or its folder is read-only; annotator keeps its WAL file beside the database and writes it"
        " even to read: give write access, or copy the database to a folder you can write\n"
    )
