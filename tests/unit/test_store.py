"""The store on real SQLite files: its settings, edits on disk when the call returns, undo and redo across a
reopen, layers, status and time, two connections on one file, an edit waiting for another writer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store
from tests.conftest import make_project


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
    store.progress.add_time(doc, "alice", 3.0)  # read, not edited: time counts, the status stays
    assert store.progress.status(doc, "alice") == "todo"
    store.edits.edit(doc, "alice", add=[Span(12, 19, "PLACE")], who="alice")
    assert store.progress.status(doc, "alice") == "in_progress"
    store.progress.add_time(doc, "alice", 12.5)
    store.progress.set_status(doc, "alice", "done")
    store.progress.add_time(doc, "alice", 2.5)
    assert store.progress.status(doc, "alice") == "done"
    layer = store.progress.stats()["layers"]["alice"]
    assert layer["seconds"] == 18.0 and layer["documents_done"] == 1 and layer["spans"] == 1
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


def test_models_are_kept_per_user_newest_current_and_copied_once(tmp_path) -> None:
    import sqlite3

    from annotator.model import StoredModel

    def model(user: str, data: bytes, created: float) -> StoredModel:
        return StoredModel(
            user, "crfsuite-1", data, data.hex(), ("gold", user), 2, 10, {"all": {}}, None, created
        )

    with Store(tmp_path / "a.db") as store:
        assert store.models.current("alice") is None
        first = store.models.save(model("alice", b"one", 1.0))
        assert store.models.save(model("alice", b"one", 5.0)) == first  # the same bytes: the same model
        store.models.save(model("alice", b"two", 2.0))
        store.models.save(model("bob", b"three", 3.0))
        current = store.models.current("alice")
        assert current is not None and current.data == b"two" and current.trained_from == ("gold", "alice")
        assert current.scores == {"all": {}} and current.baseline is None
    with Store(tmp_path / "b.db") as store:
        store.models.save(model("alice", b"newer", 9.0))
        with store.transaction():
            assert store.models.copy_from(sqlite3.connect(tmp_path / "a.db")) == 3
            assert store.models.copy_from(sqlite3.connect(tmp_path / "a.db")) == 0
        assert store.models.current("alice").data == b"newer"
        assert [m.data for m in store.models.all()] == [b"one", b"two", b"three", b"newer"]
        empty = sqlite3.connect(tmp_path / "old.db")  # a database with no models table
        empty.execute("CREATE TABLE documents (id INTEGER)")
        with store.transaction():
            assert store.models.copy_from(empty) == 0
