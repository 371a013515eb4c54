from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store


def store_with_doc(path: Path, text: str = "Troops left Gubadli and Askeran.") -> tuple[Store, int]:
    store = Store(path)
    store.documents.import_records([ImportRecord(text=text, key="d1", source="test")], default_layer="alice")
    return store, store.documents.id_of("d1")


def test_database_settings(db: Path) -> None:
    store, _ = store_with_doc(db)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert [label.name for label in store.labels.all()] == ["ACTOR", "PLACE", "EVENT"]
    store.close()


def test_every_edit_is_on_disk_when_the_call_returns(db: Path) -> None:
    store, doc = store_with_doc(db)
    store.edits.edit(doc, "alice", add=[Span(12, 19, "PLACE")], who="alice")
    other = sqlite3.connect(db)  # another process's view: committed rows only
    assert other.execute('SELECT start, "end", label, layer FROM spans').fetchall() == [
        (12, 19, "PLACE", "alice")
    ]
    other.close()
    store.close()


def test_relabel_undo_redo_across_reopen(db: Path) -> None:
    store, doc = store_with_doc(db)
    place = Span(12, 19, "PLACE")
    store.edits.edit(doc, "alice", add=[place], who="alice")
    store.edits.edit(doc, "alice", remove=[place], add=[Span(12, 19, "ACTOR")], who="alice")
    assert [(s.start, s.label) for s in store.edits.spans(doc, "alice")] == [(12, "ACTOR")]
    store.close()

    store = Store(db)  # undo works after a restart: the log is in the database
    assert store.edits.undo(doc, "alice")
    assert [(s.start, s.label) for s in store.edits.spans(doc, "alice")] == [(12, "PLACE")]
    assert store.edits.undo(doc, "alice")
    assert store.edits.spans(doc, "alice") == []
    assert not store.edits.undo(doc, "alice")
    assert store.edits.redo(doc, "alice") and store.edits.redo(doc, "alice")
    assert [(s.start, s.label) for s in store.edits.spans(doc, "alice")] == [(12, "ACTOR")]
    assert not store.edits.redo(doc, "alice")
    # a new edit after an undo drops the redo branch
    store.edits.undo(doc, "alice")
    store.edits.edit(doc, "alice", add=[Span(24, 31, "PLACE")], who="alice")
    assert not store.edits.redo(doc, "alice")
    store.close()


def test_layers_are_separate_and_undo_is_per_layer(db: Path) -> None:
    store, doc = store_with_doc(db)
    store.edits.edit(doc, "alice", add=[Span(12, 19, "PLACE")], who="alice")
    store.edits.edit(doc, "bob", add=[Span(24, 31, "PLACE")], who="bob")
    assert store.edits.undo(doc, "bob")
    assert [s.start for s in store.edits.spans(doc, "alice")] == [12]
    assert store.edits.spans(doc, "bob") == []
    store.close()


def test_status_and_time(db: Path) -> None:
    store, doc = store_with_doc(db)
    assert store.progress.status(doc, "alice") == "todo"
    store.edits.edit(doc, "alice", add=[Span(12, 19, "PLACE")], who="alice")
    assert store.progress.status(doc, "alice") == "in_progress"
    store.progress.add_time(doc, "alice", 12.5)
    store.progress.set_status(doc, "alice", "done")
    store.progress.add_time(doc, "alice", 2.5)
    assert store.progress.status(doc, "alice") == "done"
    layer = store.progress.stats()["layers"]["alice"]
    assert layer["seconds"] == 15.0 and layer["documents_done"] == 1 and layer["spans"] == 1
    store.close()


def test_two_connections_write_to_one_file(db: Path) -> None:
    first, doc = store_with_doc(db)
    second = Store(db)
    for i in range(20):
        writer, layer = (first, "alice") if i % 2 else (second, "bob")
        writer.edits.edit(doc, layer, add=[Span(i, i + 1, "EVENT")])
    assert len(first.edits.spans(doc, "alice")) == 10 and len(first.edits.spans(doc, "bob")) == 10
    first.close()
    second.close()


def test_core_modules_import_without_textual() -> None:
    code = (
        "import sys; import annotator.cli, annotator.store, annotator.text, annotator.importing;"
        "assert 'textual' not in sys.modules, 'textual imported'; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_help_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys; from annotator.cli import cli\n"
        "try:\n    cli(['--help'], prog_name='annotator')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('textual', 'sqlite_utils', 'rapidfuzz', 'regex', 'rich') if m in sys.modules]\n"
        "print('heavy:', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("heavy: []")


def test_opening_a_database_does_not_import_numpy(db: Path) -> None:
    """sqlite-utils would import numpy (75 ms of every start-up); the store imports it with numpy hidden."""
    code = (
        "import sys; from annotator.store import Store\n"
        f"Store({str(db)!r}).close()\n"
        "print('numpy' in sys.modules, 'sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
