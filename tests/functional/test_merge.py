"""Merging databases: documents by content, layers, statuses, action logs; repeatable; conflicts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import GOLD, ImportRecord, Span
from annotator.store import Store
from tests.conftest import make_project
from tests.unit.test_merge import TEXTS, dump


def make(path: Path, layer: str, spans: dict[str, list[tuple[int, int, str]]]) -> Path:
    """A database with the documents of ``spans`` imported as finished ``layer``."""
    with Store(path) as store:
        store.documents.import_records(
            [
                ImportRecord(TEXTS[key], key, "test", spans=[Span(s, e, label) for s, e, label in found])
                for key, found in spans.items()
            ],
            default_layer=layer,
        )
    return path


def spans_of(path: Path, key: str, layer: str) -> list[tuple[int, int, str]]:
    with Store(path) as store:
        return [(s.start, s.end, s.label) for s in store.edits.spans(store.documents.id_of(key), layer)]


def test_merge_twice_duplicates_nothing(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": [(0, 5, "ACTOR")], "k2": [(4, 7, "EVENT")]})
    other = make(tmp_path / "bob.db", "bob", {"k1": [(0, 5, "ACTOR"), (17, 22, "PLACE")], "k3": []})
    with Store(other) as store:  # bob also has alice's identical layer on k2 (an earlier merge, say)
        store.documents.import_records(
            [ImportRecord(TEXTS["k2"], "k2", "t", spans=[Span(4, 7, "EVENT")])], "alice"
        )
    first = run("merge", str(other))
    assert first.exit_code == 0, first.stderr
    assert first.stdout == (
        "layer bob: 2 documents, 2 spans added\n"
        "merged 1 database: 1 document, 2 layer documents and 2 spans added, "
        "1 status updated, 0 conflicts\n"
    )
    assert first.stderr == ""
    merged = dump(db)
    assert [row[1] for row in merged["documents"]] == ["k1", "k2", "k3"]
    assert spans_of(db, "k1", "bob") == [(0, 5, "ACTOR"), (17, 22, "PLACE")]
    assert spans_of(db, "k2", "alice") == [(4, 7, "EVENT")]
    with Store(db) as store:
        assert store.progress.status(store.documents.id_of("k3"), "bob") == "done"
        assert {tuple(sorted(d.layers)) for d in store.teams.finished_documents()} == {
            ("alice", "bob"),
            ("alice",),
            ("bob",),
        }
    second = run("merge", str(other))
    assert second.exit_code == 0
    assert second.stdout.startswith("merged 1 database: 0 documents, 0 layer documents and 0 spans")
    assert dump(db) == merged
    # and the other way round: bob's database gets alice's work, once
    with Store(other) as store:
        store.merge.from_databases([db])
        store.merge.from_databases([db])
    theirs = dump(other)
    assert len(theirs["documents"]) == 3
    assert sorted(r[1:5] for r in theirs["spans"]) == sorted(r[1:5] for r in merged["spans"])
    assert len(theirs["spans"]) == len(merged["spans"])


def test_conflict_keeps_both_versions_and_says_where(run, db: Path, tmp_path: Path) -> None:
    """Both databases changed alice's k1: hers here stays, the laptop's is kept as layer alice@laptop,
    one line on stderr says so; merging again changes nothing."""
    make(db, "alice", {"k1": [(0, 5, "ACTOR")]})
    other = make(tmp_path / "laptop.db", "alice", {"k1": [(0, 5, "ACTOR")]})
    with Store(db) as store:
        store.edits.edit(store.documents.id_of("k1"), "alice", add=[Span(10, 13, "ACTOR")], who="alice")
    with Store(other) as store:
        doc_id = store.documents.id_of("k1")
        store.edits.edit(doc_id, "alice", add=[Span(17, 22, "PLACE")], who="alice")
        store.edits.edit(doc_id, "alice", add=[Span(26, 32, "EVENT")], who="alice")
    result = run("merge", str(other))
    assert result.exit_code == 0
    assert result.stderr == (
        f"conflict: {other}: document k1, layer alice: changed on both sides; alice keeps this database's"
        f" 2 spans, {other}'s 3 spans are kept as layer alice@laptop; review them with:"
        f" annotator --db {db} --user alice@laptop annotate --doc k1\n"
    )
    assert result.stdout == (
        "layer alice@laptop (kept for review): 1 document, 3 spans added\n"
        "merged 1 database: 0 documents, 1 layer document and 3 spans added,"
        " 0 statuses updated, 1 conflict\n"
    )
    assert spans_of(db, "k1", "alice") == [(0, 5, "ACTOR"), (10, 13, "ACTOR")]
    assert spans_of(db, "k1", "alice@laptop") == [(0, 5, "ACTOR"), (17, 22, "PLACE"), (26, 32, "EVENT")]
    # their action log came along: undo takes back their last edit in the kept layer
    with Store(db) as store:
        assert store.edits.undo(store.documents.id_of("k1"), "alice@laptop")
        assert store.edits.redo(store.documents.id_of("k1"), "alice@laptop")
    before = dump(db)
    again = run("merge", str(other))
    assert again.stderr == ""
    assert again.stdout.endswith("0 conflicts; 1 conflict kept by an earlier merge\n")
    assert dump(db) == before


def test_prefer_theirs_puts_theirs_in_the_layer_and_keeps_mine(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": [(0, 5, "ACTOR")]})
    other = make(tmp_path / "o.db", "alice", {"k1": [(0, 5, "PLACE")]})
    theirs = run("merge", "--prefer", "theirs", str(other))
    assert f"alice keeps {other}'s 1 span, this database's 1 span is kept as layer alice@project" in (
        theirs.stderr
    )
    assert spans_of(db, "k1", "alice") == [(0, 5, "PLACE")]
    assert spans_of(db, "k1", "alice@project") == [(0, 5, "ACTOR")]
    before = dump(db)
    assert run("merge", str(other)).stderr == ""  # identical now: nothing to report
    assert dump(db) == before
    assert run("merge", "--prefer", "both", str(other)).exit_code == 2


def test_dry_run_changes_nothing(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": [(0, 5, "ACTOR")]})
    other = make(tmp_path / "laptop.db", "alice", {"k1": [(0, 5, "PLACE")], "k2": [(4, 7, "EVENT")]})
    before = db.read_bytes()
    dry = run("merge", "--dry-run", str(other))
    assert dry.exit_code == 0
    assert db.read_bytes() == before
    assert dry.stderr == (
        f"conflict: {other}: document k1, layer alice: changed on both sides; alice would keep this"
        f" database's 1 span, {other}'s 1 span would be kept as layer alice@laptop\n"
    )
    assert dry.stdout == (
        "layer alice: 1 document, 1 span added\n"
        "layer alice@laptop (kept for review): 1 document, 1 span added\n"
        "dry run, nothing changed: would merge 1 database: 1 document, 2 layer documents and"
        " 2 spans added, 0 statuses updated, 1 conflict\n"
    )
    real = run("merge", str(other))
    assert real.stdout == dry.stdout.replace("dry run, nothing changed: would merge", "merged")
    # into a database that does not exist yet: no file made
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "merge", "--dry-run", str(other)).exit_code == 0
    assert not fresh.exists()


def test_same_key_different_text_is_a_second_document(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": []})
    other = tmp_path / "o.db"
    with Store(other) as store:
        store.documents.import_records([ImportRecord("A different article.", "k1", "t", spans=[])], "bob")
    assert run("merge", str(other)).exit_code == 0
    with Store(db) as store:
        keys = sorted(store.documents.get(i).key for i in store.documents.ids())
    assert keys[0] == "k1" and keys[1].startswith("k1-") and len(keys) == 2


def test_labels_and_gold_come_along(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": []})
    other = make(tmp_path / "o.db", "alice", {"k1": []})
    with Store(other) as store:
        store.conn.execute(
            "INSERT INTO labels (name, key, colour, position) VALUES ('WEAPON', 'w', '#ff0000', 9)"
        )
        store.conn.commit()
        store.edits.edit(store.documents.id_of("k1"), GOLD, add=[Span(0, 5, "WEAPON")], who="rev")
    assert run("merge", str(other)).exit_code == 0
    with Store(db) as store:
        assert [label.name for label in store.labels.all()][-1] == "WEAPON"
    assert spans_of(db, "k1", GOLD) == [(0, 5, "WEAPON")]


def test_bad_files_change_nothing(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": []})
    good = make(tmp_path / "good.db", "bob", {"k2": []})
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    clash = make(tmp_path / "clash.db", "bob", {"k3": []})
    with Store(clash) as store:  # a label whose key is ACTOR's here
        store.conn.execute(
            "INSERT INTO labels (name, key, colour, position) VALUES ('PERSON', 'a', '#ffffff', 9)"
        )
        store.conn.commit()
    before = dump(db)
    for bad, message in [
        (tmp_path / "missing.db", "no such database file"),
        (garbage, "not an annotator database"),
        (plain, "not an annotator database"),
        (db, "is the database being merged into"),
        (tmp_path, "no such database file"),
        (clash, "cannot merge: its label PERSON has the key 'a' of label ACTOR here"),
    ]:
        for dry_run in ((), ("--dry-run",)):
            result = run("merge", *dry_run, str(good), str(bad))
            assert result.exit_code == 1, bad
            assert result.stderr == f"annotator: error: {bad}: {message}\n"
            assert dump(db) == before


def test_newer_schema_is_refused(run, db: Path, tmp_path: Path) -> None:
    make(db, "alice", {"k1": []})
    newer = make(tmp_path / "newer.db", "bob", {"k1": []})
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('annotator', '9999_future', 'x')"
    )
    conn.commit()
    conn.close()
    result = run("merge", str(newer))
    assert result.exit_code == 1
    assert "schema newer than this annotator" in result.stderr


def test_merge_into_a_new_database(run, db: Path, tmp_path: Path) -> None:
    other = make(tmp_path / "o.db", "bob", {"k1": [(0, 5, "ACTOR")], "k2": []})
    assert run("merge", str(tmp_path / "nope.db")).exit_code == 1
    assert not db.exists()  # a failed merge into a new database leaves no file behind
    assert run("merge", str(other)).exit_code == 0
    assert spans_of(db, "k1", "bob") == [(0, 5, "ACTOR")]


def test_merge_reports_renamed_keys(run, db: Path, tmp_path: Path) -> None:
    make_project(db)
    other = tmp_path / "other.db"
    with Store(other) as store:
        store.documents.import_records([ImportRecord("A different text.", "k1", "t", spans=[])], "bob")
    result = run("merge", str(other))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("0 conflicts; 1 key taken, suffixed with a hash\n")
    with Store(db) as store:
        keys = [store.documents.get(i).key for i in store.documents.ids()]
        assert len([k for k in keys if k.startswith("k1-")]) == 1


def test_a_rejection_comes_over_with_its_step_of_the_log(run, db: Path, tmp_path: Path) -> None:
    """Alice rejected a proposal on a copy of the database: after the merge it is rejected here too,
    and undoing that step here brings it back."""
    make(db, "alice", {"k1": [(0, 5, "ACTOR")]})
    laptop = tmp_path / "laptop.db"
    assert run("backup", str(laptop)).exit_code == 0
    with Store(laptop) as store:
        doc = store.documents.id_of("k1")
        assert store.edits.reject(doc, "alice", [Span(17, 22, "PLACE")], who="alice")
    result = run("merge", str(laptop))
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        doc = store.documents.id_of("k1")
        assert store.kb.rejected_suggestions(doc, "alice") == {(17, 22, "PLACE")}
        assert store.edits.undo(doc, "alice")
        assert store.kb.rejected_suggestions(doc, "alice") == set()
    assert run("merge", str(laptop)).exit_code == 0  # again: the laptop's later log brings it back
    with Store(db) as store:
        assert store.kb.rejected_suggestions(store.documents.id_of("k1"), "alice") == {(17, 22, "PLACE")}
