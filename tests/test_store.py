from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store


def store_with_doc(path: Path, text: str = "Troops left Gubadli and Askeran.") -> tuple[Store, int]:
    store = Store(path)
    store.import_records([ImportRecord(text=text, key="d1", source="test")], default_layer="alice")
    return store, store.document_id("d1")


def test_database_settings(db: Path) -> None:
    store, _ = store_with_doc(db)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert [label.name for label in store.labels()] == ["ACTOR", "PLACE", "EVENT"]
    store.close()


def test_every_edit_is_on_disk_when_the_call_returns(db: Path) -> None:
    store, doc = store_with_doc(db)
    store.add_span(doc, "alice", Span(12, 19, "PLACE"), "alice")
    other = sqlite3.connect(db)  # another process's view: committed rows only
    assert other.execute('SELECT start, "end", label, layer FROM spans').fetchall() == [
        (12, 19, "PLACE", "alice")
    ]
    other.close()
    store.close()


def test_relabel_undo_redo_across_reopen(db: Path) -> None:
    store, doc = store_with_doc(db)
    place = Span(12, 19, "PLACE")
    store.add_span(doc, "alice", place, "alice")
    store.add_span(doc, "alice", Span(12, 19, "ACTOR"), "alice", replace=[place])
    assert [(s.start, s.label) for s in store.spans(doc, "alice")] == [(12, "ACTOR")]
    store.close()

    store = Store(db)  # undo works after a restart: the log is in the database
    assert store.undo(doc, "alice")
    assert [(s.start, s.label) for s in store.spans(doc, "alice")] == [(12, "PLACE")]
    assert store.undo(doc, "alice")
    assert store.spans(doc, "alice") == []
    assert not store.undo(doc, "alice")
    assert store.redo(doc, "alice") and store.redo(doc, "alice")
    assert [(s.start, s.label) for s in store.spans(doc, "alice")] == [(12, "ACTOR")]
    assert not store.redo(doc, "alice")
    # a new edit after an undo drops the redo branch
    store.undo(doc, "alice")
    store.add_span(doc, "alice", Span(24, 31, "PLACE"), "alice")
    assert not store.redo(doc, "alice")
    store.close()


def test_layers_are_separate_and_undo_is_per_layer(db: Path) -> None:
    store, doc = store_with_doc(db)
    store.add_span(doc, "alice", Span(12, 19, "PLACE"), "alice")
    store.add_span(doc, "bob", Span(24, 31, "PLACE"), "bob")
    assert store.undo(doc, "bob")
    assert [s.start for s in store.spans(doc, "alice")] == [12]
    assert store.spans(doc, "bob") == []
    store.close()


def test_status_and_time(db: Path) -> None:
    store, doc = store_with_doc(db)
    assert store.status(doc, "alice") == "todo"
    store.add_span(doc, "alice", Span(12, 19, "PLACE"), "alice")
    assert store.status(doc, "alice") == "in_progress"
    store.add_time(doc, "alice", 12.5)
    store.set_status(doc, "alice", "done")
    store.add_time(doc, "alice", 2.5)
    assert store.status(doc, "alice") == "done"
    layer = store.stats()["layers"]["alice"]
    assert layer["seconds"] == 15.0 and layer["documents_done"] == 1 and layer["spans"] == 1
    store.close()


def test_two_connections_write_to_one_file(db: Path) -> None:
    first, doc = store_with_doc(db)
    second = Store(db)
    for i in range(20):
        (first if i % 2 else second).add_span(doc, "alice" if i % 2 else "bob", Span(i, i + 1, "EVENT"))
    assert len(first.spans(doc, "alice")) == 10 and len(first.spans(doc, "bob")) == 10
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
