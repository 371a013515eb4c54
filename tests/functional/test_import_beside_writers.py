"""A long import beside other writers: while it reads its file, another process writes without waiting
(the import holds no lock until it swaps its documents in), and killed half way (SIGKILL) it leaves
nothing of itself while what the others wrote stays."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.store.connection import BATCH

WORDS = ["Troops", "left", "Gubadli", "for", "Baku", "after", "talks", "in", "Stepanakert", "with"]


def _corpus(path: Path, documents: int) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for n in range(documents):
            text = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(300)) + f" {n}."
            record = {"text": text, "id": f"d{n}", "spans": [{"start": 0, "end": 6, "label": "ACTOR"}]}
            stream.write(json.dumps(record) + "\n")
    return path


def _read_so_far(process: subprocess.Popen[bytes], source: Path) -> int:
    """How far the process has read ``source`` (its file offset there, from /proc); 0 before it opens it."""
    fds = Path(f"/proc/{process.pid}/fd")
    try:
        for fd in fds.iterdir():
            if os.readlink(fd) == str(source):
                info = (Path(f"/proc/{process.pid}/fdinfo") / fd.name).read_text()
                return int(info.split("pos:")[1].split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _write_at_once(db: Path, doc_id: int) -> None:
    """Another annotator's edit, with no busy timeout at all: it fails if anyone holds the write lock."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            'INSERT INTO spans (doc_id, layer, start, "end", label, source, created)'
            " VALUES (?, 'bob', 0, 3, 'PLACE', 'manual', 0)",
            (doc_id,),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_an_import_killed_half_way_leaves_nothing_and_never_held_up_another_writer(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    with Store(db) as store:
        store.documents.import_records([ImportRecord("One document first.", "first", "t")], "alice")
        store.layers.ensure("bob")
        store.conn.commit()
        (first,) = store.documents.ids()
    source = _corpus(tmp_path / "many.jsonl", 12_000)
    size = source.stat().st_size
    importing = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", "--format", "jsonl", str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while _read_so_far(importing, source) < size // 2:
            assert importing.poll() is None, "the import finished before it was half way"
            assert time.monotonic() < deadline, "the import never got half way"
            time.sleep(0.01)
        _write_at_once(db, first)  # half way through its file: the lock is free
        assert _count(db, "documents") == 1  # nothing of the import is in yet
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=30)
    finally:
        importing.kill()
    check = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with Store(db) as store:
        assert store.documents.ids() == [first]
        assert [(s.start, s.end, s.label) for s in store.edits.spans(first, "bob")] == [(0, 3, "PLACE")]
        assert store.edits.spans(first, "alice") == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("project.db")) in (
        ["project.db"],
        ["project.db", "project.db-shm", "project.db-wal"],
    )


def test_an_import_places_again_what_another_writer_added_while_it_read(tmp_path: Path) -> None:
    """A document with the same text, and another with the same key, come in after the import staged
    its records and before it swaps them in: the same text is not added twice (its spans go to the one
    there), the key is renamed."""
    db = tmp_path / "project.db"
    with Store(db) as store:
        store.documents.import_records([ImportRecord("Seed text.", "seed", "t")], "alice")

    def records() -> Iterator[ImportRecord]:
        yield ImportRecord("Baku and Gubadli.", "same-text", "f", 1, spans=[Span(0, 4, "PLACE")])
        yield ImportRecord("Mine, not theirs.", "taken", "f", 2)
        for n in range(BATCH - 2):
            yield ImportRecord(f"Filler {n}.", f"filler-{n}", "f", n + 3)
        # a whole batch is staged now; another process imports before the swap
        with Store(db) as other:
            other.documents.import_records(
                [ImportRecord("Baku and Gubadli.", "theirs", "g"), ImportRecord("Other.", "taken", "g")],
                "bob",
            )

    with Store(db) as store:
        result = store.documents.import_records(records(), "alice")
        keys = {store.documents.key_of(i): store.documents.get(i).text for i in store.documents.ids()}
        same = store.documents.id_of("theirs")
        assert [(s.start, s.end, s.label) for s in store.edits.spans(same, "alice")] == [(0, 4, "PLACE")]
        assert store.progress.status(same, "alice") == "done"
    assert (result.documents_added, result.documents_present, result.renamed_keys) == (BATCH - 1, 1, 1)
    renamed = [k for k in keys if k.startswith("taken-")]
    assert keys["taken"] == "Other." and len(renamed) == 1 and keys[renamed[0]] == "Mine, not theirs."
    assert "same-text" not in keys
