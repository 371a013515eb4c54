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


def test_a_symlink_to_a_file_is_refused_and_its_target_left_as_it_was(run, project: Path) -> None:
    target = project / "target.jsonl"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    link = project / "link.jsonl"
    link.symlink_to(target.name)
    for force in ([], ["--force"]):
        result = run("export", "--format", "jsonl", "--out", str(link), *force)
        assert result.exit_code == 1
        assert result.stderr == (
            f"annotator: error: {link}: is a symbolic link; an export does not write through links (it"
            f" would replace what the link points at): give {target} itself, or another --out\n"
        )
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_dangling_symlink_is_refused_and_creates_nothing(run, project: Path) -> None:
    link = project / "link.jsonl"
    link.symlink_to("made.jsonl")
    result = run("export", "--format", "jsonl", "--out", str(link))
    assert result.exit_code == 1
    assert "is a symbolic link" in result.stderr
    assert link.is_symlink()
    assert not (project / "made.jsonl").exists()


def test_a_symlinked_folder_is_refused_and_what_it_points_at_kept(run, project: Path) -> None:
    articles = project / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("A source article.", encoding="utf-8")
    (articles / "a.ann").write_text("", encoding="utf-8")
    (project / "linked").symlink_to(articles.name)
    for fmt in (["brat"], ["jsonl", "--split", "0.5,0.5"]):
        result = run("export", "--format", *fmt, "--out", str(project / "linked"))
        assert result.exit_code == 1
        assert "is a symbolic link" in result.stderr
    assert sorted(p.name for p in articles.iterdir()) == ["a.ann", "a.txt"]
    assert (articles / "a.txt").read_text(encoding="utf-8") == "A source article."


def test_a_file_no_export_wrote_is_replaced_only_with_force_keeping_its_mode(run, project: Path) -> None:
    mine = project / "notes.jsonl"
    mine.write_text("my own notes\n", encoding="utf-8")
    mine.chmod(0o600)
    result = run("export", "--format", "jsonl", "--out", str(mine))
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {mine}: already exists, and it is not a file an export of this database wrote"
        " (or it has changed since); --force replaces it\n"
    )
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    result = run("export", "--format", "jsonl", "--out", str(mine), "--force")
    assert result.exit_code == 0, result.stderr
    assert mine.read_bytes() == GOLDEN_JSONL.read_bytes()
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600


def test_an_export_replaces_its_own_file_but_not_once_someone_changed_it(run, project: Path) -> None:
    out = project / "gold.jsonl"
    assert run("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    result = run("export", "--format", "conll", "--out", str(out))
    assert result.exit_code == 0, result.stderr  # its own previous export: replaced without --force
    assert out.read_bytes() == (GOLDEN / "gold.conll").read_bytes()
    with out.open("a", encoding="utf-8") as stream:
        stream.write("a line someone added\n")
    result = run("export", "--format", "jsonl", "--out", str(out))
    assert result.exit_code == 1
    assert "it has changed since); --force replaces it" in result.stderr
    assert out.read_text(encoding="utf-8").endswith("a line someone added\n")


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", ".kbindex", ".kbindex/keys.npy"])
def test_an_export_never_writes_onto_the_database_its_wal_or_index(
    run, project: Path, db: Path, suffix: str
) -> None:
    (project / f"{db.name}.kbindex").mkdir(exist_ok=True)
    before = db.read_bytes()
    target = Path(f"{db}{suffix}")
    for fmt in (["jsonl"], ["brat"], ["jsonl", "--split", "0.5,0.5"]):
        result = run("export", "--format", *fmt, "--out", str(target), "--force")
        assert result.exit_code == 1, result.stderr
        assert "an export never writes there, even with --force" in result.stderr
    assert db.read_bytes() == before
    assert run("stats").exit_code == 0


def test_a_folder_export_never_replaces_the_folder_holding_the_database(run, project: Path) -> None:
    result = run("export", "--format", "brat", "--out", str(project))
    assert result.exit_code == 1
    assert "holds the project database" in result.stderr


def test_the_temporary_name_is_not_one_another_user_could_have_made_first(run, project: Path) -> None:
    victim = project / "victim.txt"
    victim.write_text("someone else's file\n", encoding="utf-8")
    out = project / "out.jsonl"
    # the name the export used to write under: another user could make it a link to their victim
    (project / f".out.jsonl.{os.getpid()}.tmp").symlink_to(victim)
    result = run("export", "--format", "jsonl", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "someone else's file\n"
    assert out.read_bytes() == GOLDEN_JSONL.read_bytes()
    assert not out.is_symlink()


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


def test_a_two_part_split_replaces_a_three_part_one_whole(run, project: Path) -> None:
    out = project / "sp1"
    assert run("export", "--format", "jsonl", "--split", "0.5,0.25,0.25", "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".annotator-export.json", "dev.jsonl", "test.jsonl", "train.jsonl"
    ]  # fmt: skip
    result = run("export", "--format", "jsonl", "--split", "0.5,0.5", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".annotator-export.json", "dev.jsonl", "train.jsonl"]


def test_a_split_folder_holding_a_file_no_export_wrote_is_refused(run, project: Path) -> None:
    out = project / "sp1"
    assert run("export", "--format", "jsonl", "--split", "0.5,0.5", "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    for force in ([], ["--force"]):
        result = run("export", "--format", "jsonl", "--split", "0.5,0.5", "--out", str(out), *force)
        assert result.exit_code == 1
        assert result.stderr == (
            f"annotator: error: {out}: holds 'notes.txt', which no export wrote; an export replaces only a"
            " previous export (the files its manifest lists) and never removes anything else: give an"
            " empty or new folder\n"
        )
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_brat_split_replaces_the_old_test_folder(run, project: Path) -> None:
    out = project / "sp"
    assert run("export", "--format", "brat", "--split", "0.5,0.25,0.25", "--out", str(out)).exit_code == 0
    result = run("export", "--format", "brat", "--split", "0.5,0.5", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".annotator-export.json", "dev", "train"]
    stems = sorted(p.stem for part in out.iterdir() if part.is_dir() for p in part.glob("*.ann"))
    assert len(stems) == 4


def test_brat_replaces_its_previous_export_in_the_folder(run, project: Path) -> None:
    out = project / "brat"
    assert run("export", "--format", "brat", "--out", str(out), "--all").exit_code == 0
    assert run("export", "--format", "brat", "--out", str(out)).exit_code == 0
    assert len(list(out.glob("*.ann"))) == 4
    assert not [p for p in project.iterdir() if ".annotator-" in p.name]


def test_brat_never_removes_articles_it_did_not_write(run, project: Path) -> None:
    out = project / "brat"
    out.mkdir()
    for n in range(10):  # source articles, never imported, in the folder given to --out
        (out / f"article{n}.txt").write_text(f"Article {n}.", encoding="utf-8")
        (out / f"article{n}.ann").write_text("", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for force in ([], ["--force"]):
        result = run("export", "--format", "brat", "--out", str(out), *force)
        assert result.exit_code == 1
        assert "which no export wrote" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_brat_keeps_an_annotation_edited_since_unless_forced(run, project: Path) -> None:
    out = project / "brat"
    assert run("export", "--format", "brat", "--out", str(out)).exit_code == 0
    edited = sorted(out.glob("*.ann"))[0]
    edited.write_text("T1\tPLACE 0 1\tx\n", encoding="utf-8")  # an edit made in brat itself
    result = run("export", "--format", "brat", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"annotator: error: {out}: {edited.name!r} has changed since the export wrote it; --force"
        " replaces it\n"
    )
    assert edited.read_text(encoding="utf-8") == "T1\tPLACE 0 1\tx\n"
    assert run("export", "--format", "brat", "--out", str(out), "--force").exit_code == 0
    assert edited.read_text(encoding="utf-8") != "T1\tPLACE 0 1\tx\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_brat_export_failing_half_way_leaves_the_previous_one(run, project: Path, monkeypatch) -> None:
    from annotator.export import files

    out = project / "brat"
    assert run("export", "--format", "brat", "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = files.FolderTarget.create
    calls: list[str] = []

    def disk_full_on_the_fourth(self: files.FolderTarget, relative: str) -> int:
        calls.append(relative)
        fd = real(self, relative)
        if len(calls) == 4:  # the file is made, and writing it fails as on a full disk
            os.dup2(os.open("/dev/full", os.O_WRONLY), fd)
        return fd

    monkeypatch.setattr(files.FolderTarget, "create", disk_full_on_the_fourth)
    result = run("export", "--format", "brat", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {out}: No space left on device\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in project.iterdir() if ".annotator-" in p.name]


def test_a_failed_export_leaves_its_previous_file(run, project: Path, monkeypatch) -> None:
    from annotator.formats import jsonl

    target = project / "target.jsonl"
    assert run("export", "--format", "jsonl", "--out", str(target)).exit_code == 0

    def fail(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(jsonl, "format_document", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        run("export", "--format", "jsonl", "--out", str(target))
    assert target.read_bytes() == GOLDEN_JSONL.read_bytes()
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []
