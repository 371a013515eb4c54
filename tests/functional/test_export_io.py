"""Where an export's bytes go: devices, FIFOs, links, failures to write, and replacing a previous export."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests import export_fixture
from tests.conftest import GOLDEN

GOLDEN_JSONL = GOLDEN / "gold.jsonl"


@pytest.fixture
def project(run, tmp_path: Path) -> Path:
    """A database with the export fixture in layer gold."""
    fixture = export_fixture.write(tmp_path / "fixture.jsonl")
    assert run("import", str(fixture), "--as", "gold").exit_code == 0
    return tmp_path


def _read_in_thread(path: str | int, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as stream:
            into.append(stream.read())

    thread = threading.Thread(target=read, daemon=True)  # never blocks the run
    thread.start()
    return thread


# --- write through to what is not a regular file -------------------------------------------------------


def test_a_fifo_is_written_through_and_stays_a_fifo(run, project: Path) -> None:
    fifo = project / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_in_thread(fifo, got)
    result = run("export", "--format", "jsonl", "--out", str(fifo))
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert got == [GOLDEN_JSONL.read_bytes()]
    assert fifo.is_fifo()


def test_a_dev_fd_path_to_a_pipe_is_written_through(run, project: Path) -> None:
    read_end, write_end = os.pipe()
    got: list[bytes] = []
    reader = _read_in_thread(read_end, got)
    try:
        result = run("export", "--format", "jsonl", "--out", f"/dev/fd/{write_end}")
    finally:
        os.close(write_end)
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert got == [GOLDEN_JSONL.read_bytes()]


def test_a_symlink_writes_its_target_and_stays_a_link(run, project: Path) -> None:
    target = project / "target.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = project / "link.jsonl"
    link.symlink_to(target.name)
    result = run("export", "--format", "jsonl", "--out", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert target.read_bytes() == GOLDEN_JSONL.read_bytes()


def test_a_dangling_symlink_creates_its_target(run, project: Path) -> None:
    link = project / "link.jsonl"
    link.symlink_to("made.jsonl")
    result = run("export", "--format", "jsonl", "--out", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert (project / "made.jsonl").read_bytes() == GOLDEN_JSONL.read_bytes()


def test_a_device_stays_a_device_and_a_full_disk_is_one_line(run, project: Path) -> None:
    full = project / "full"  # a node of its own like /dev/full: a regression must not replace the real one
    try:
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except OSError:
        pytest.skip("cannot make a device node here (needs root)")
    result = run("export", "--format", "jsonl", "--out", str(full))
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {full}: No space left on device\n"
    assert full.is_char_device()


# --- failures to write are one line and exit 1 ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
def test_a_file_in_the_way_of_the_folder_is_one_line(run, project: Path, fmt: str) -> None:
    (project / "out.conll").write_text("x", encoding="utf-8")
    result = run("export", "--format", fmt, "--out", str(project / "out.conll" / "x"))
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {project / 'out.conll'}: is a file, not a folder\n"
    assert (project / "out.conll").read_text(encoding="utf-8") == "x"


def test_init_into_a_missing_folder_says_so(run, tmp_path: Path) -> None:
    out = tmp_path / "nodir" / "a.toml"
    result = run("init", "--out", str(out))
    assert result.exit_code == 1
    parent = str(tmp_path / "nodir")
    expected = f"annotator: error: {out}: {parent!r} does not exist; init does not create folders\n"
    assert result.stderr == expected
    assert not out.parent.exists()


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_init_where_nothing_can_be_written_is_one_line(run) -> None:
    result = run("init", "--out", "/proc/annotator-test.toml")
    assert result.exit_code == 1
    assert result.stderr.startswith("annotator: error: /proc/annotator-test.toml: ")
    assert result.stderr.count("\n") == 1


def _cli(db: Path, *args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """The installed command line in its own process, where standard output is a real file."""
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        timeout=120,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("what", [["export", "--format", "jsonl", "--out", "-"], ["stats"]])
def test_a_full_stdout_is_exit_1_and_one_line(project: Path, db: Path, what: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = _cli(db, *what, stdout=full)
    assert done.returncode == 1
    assert done.stderr.decode().endswith("annotator: error: standard output: No space left on device\n")
    assert b"Traceback" not in done.stderr
    assert done.stderr.decode().count("annotator: error") == 1


def test_a_damaged_database_is_one_line_and_left_as_it_is(project: Path, db: Path) -> None:
    damaged = project / "damaged.db"
    data = bytearray(db.read_bytes())
    data[4096:8192] = b"X" * 4096  # page 2: a table's b-tree page
    damaged.write_bytes(bytes(data))
    for args in (["stats"], ["export", "--format", "jsonl", "--out", str(project / "d.jsonl")]):
        done = _cli(damaged, *args)
        assert done.returncode == 1, done.stderr
        assert done.stderr.decode() == f"annotator: error: {damaged}: database disk image is malformed\n"
    assert damaged.read_bytes() == bytes(data)
    assert not (project / "d.jsonl").exists()


# --- an export replaces the previous one ---------------------------------------------------------------


def test_a_two_part_split_removes_the_old_test_part(run, project: Path) -> None:
    out = project / "sp1"
    assert run("export", "--format", "jsonl", "--split", "0.5,0.25,0.25", "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["dev.jsonl", "notes.txt", "test.jsonl", "train.jsonl"]
    result = run("export", "--format", "jsonl", "--split", "0.5,0.5", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["dev.jsonl", "notes.txt", "train.jsonl"]


def test_a_brat_split_removes_the_old_test_folder(run, project: Path) -> None:
    out = project / "sp"
    assert run("export", "--format", "brat", "--split", "0.5,0.25,0.25", "--out", str(out)).exit_code == 0
    result = run("export", "--format", "brat", "--split", "0.5,0.5", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["dev", "train"]
    stems = sorted(p.stem for part in out.iterdir() for p in part.glob("*.ann"))
    assert len(stems) == 4


def test_brat_replaces_a_previous_export_in_the_folder(run, project: Path) -> None:
    out = project / "brat"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    (out / "stale.ann").write_text("", encoding="utf-8")
    result = run("export", "--format", "brat", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert not (out / "stale.txt").exists()
    assert not (out / "stale.ann").exists()
    assert len(list(out.glob("*.ann"))) == 4


def test_brat_refuses_a_folder_holding_other_files(run, project: Path) -> None:
    out = project / "brat"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    (out / "README.md").write_text("mine", encoding="utf-8")
    result = run("export", "--format", "brat", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {out}: holds 'README.md', which a brat export does not write; a brat export"
        " replaces only a previous one (.txt/.ann files and annotation.conf): give an empty or new folder\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "stale.txt"]


def test_a_failed_export_through_a_link_leaves_its_target(run, project: Path, monkeypatch) -> None:
    from annotator.formats import jsonl

    def fail(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(jsonl, "format_document", fail)
    target = project / "target.jsonl"
    target.write_text("the previous export\n", encoding="utf-8")
    link = project / "link.jsonl"
    link.symlink_to(target.name)
    with pytest.raises(RuntimeError, match="disk full"):
        run("export", "--format", "jsonl", "--out", str(link))
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert link.is_symlink()
    assert sorted(p.name for p in project.iterdir() if p.name.endswith(".tmp")) == []
