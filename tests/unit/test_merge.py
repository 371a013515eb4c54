"""Merging in the store: random databases with overlapping documents and layers merge once and for all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.model import GOLD, ImportRecord, Span
from annotator.store import Store

TEXTS = {
    "k1": "Alice met Bob in Paris on Monday.",
    "k2": "The war in Karabakh ended in Stepanakert.",
    "k3": "Protests in Yerevan followed the ceasefire.",
}


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            "documents": conn.execute("SELECT id, key, text, hash FROM documents ORDER BY id").fetchall(),
            "labels": conn.execute("SELECT * FROM labels ORDER BY name").fetchall(),
            "layers": conn.execute("SELECT name, kind FROM layers ORDER BY name").fetchall(),
            "spans": conn.execute(
                'SELECT doc_id, layer, start, "end", label, kb_id, source, who FROM spans'
                ' ORDER BY doc_id, layer, start, "end", label'
            ).fetchall(),
            "doc_status": conn.execute("SELECT * FROM doc_status ORDER BY doc_id, layer").fetchall(),
            "actions": conn.execute("SELECT * FROM actions ORDER BY id").fetchall(),
        }
    finally:
        conn.close()


@pytest.mark.parametrize("seed", range(8))
def test_random_databases_merge_once_and_for_all(tmp_path: Path, seed: int) -> None:
    """Two databases with overlapping documents and layers, random edits on both: after one merge every
    document is there once, and merging again (either file) changes nothing."""
    import random

    rng = random.Random(seed)
    keys = list(TEXTS)
    paths = []
    for side in ("a", "b"):
        path = tmp_path / f"{side}.db"
        with Store(path) as store:
            for key in rng.sample(keys, rng.randint(1, 3)):
                for layer in rng.sample(["alice", "bob", GOLD], rng.randint(1, 3)):
                    spans = {
                        Span(s, s + 3, rng.choice(["ACTOR", "PLACE"])) for s in rng.sample(range(0, 25, 4), 2)
                    }
                    store.documents.import_records(
                        [ImportRecord(TEXTS[key], key, "t", spans=sorted(spans, key=lambda x: x.start))],
                        layer,
                    )
                    if rng.random() < 0.5:
                        doc_id = store.documents.id_of(key)
                        store.edits.edit(doc_id, layer, add=[Span(26, 29, "EVENT")], who=layer)
        paths.append(path)
    a, b = paths
    with Store(a) as store:
        store.merge.from_databases([b])
    once = dump(a)
    assert len({row[3] for row in once["documents"]}) == len(once["documents"])  # no text twice
    with Store(b) as store:
        expected = {row[2] for row in once["documents"]} | {row[2] for row in dump(b)["documents"]}
    assert {row[2] for row in once["documents"]} == expected
    with Store(a) as store:
        store.merge.from_databases([b, b])
    assert dump(a) == once


# --- which version is kept where ---------------------------------------------------------------------

K1 = TEXTS["k1"]  # "Alice met Bob in Paris on Monday."
ALICE, BOB, PARIS, MONDAY = (
    Span(0, 5, "ACTOR"),
    Span(10, 13, "ACTOR"),
    Span(17, 22, "PLACE"),
    Span(26, 32, "EVENT"),
)


def server_and_copy(tmp_path: Path, spans: list[Span], copy: str = "laptop") -> tuple[Path, Path]:
    """A server database with alice's ``spans`` on k1 (made by edits, so logged), and a copy of it."""
    server = tmp_path / "server.db"
    with Store(server) as store:
        store.documents.import_records([ImportRecord(K1, "k1", "t", spans=None)], "alice")
        store.edits.edit(store.documents.id_of("k1"), "alice", add=spans, who="alice")
        store.maintenance.backup(tmp_path / f"{copy}.db")
    return server, tmp_path / f"{copy}.db"


def edit(path: Path, remove: list[Span] = (), add: list[Span] = (), layer: str = "alice") -> None:  # type: ignore[assignment]
    with Store(path) as store:
        store.edits.edit(store.documents.id_of("k1"), layer, remove, add, who=layer)


def spans(path: Path, layer: str = "alice") -> list[Span]:
    with Store(path) as store:
        return [
            Span(s.start, s.end, s.label, s.kb_id)
            for s in store.edits.spans(store.documents.id_of("k1"), layer)
        ]


def merge(path: Path, other: Path, **options: object):  # type: ignore[no-untyped-def]
    with Store(path) as store:
        return store.merge.from_databases([other], **options)  # type: ignore[arg-type]


def test_work_carried_further_on_a_copy_is_taken_removals_included(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE, BOB])
    edit(laptop, remove=[BOB], add=[Span(10, 13, "PLACE")])  # a relabelling
    edit(laptop, remove=[ALICE])
    result = merge(server, laptop)
    assert result.conflicts == [] and result.spans_added == 1 and result.spans_removed == 2
    assert spans(server) == [Span(10, 13, "PLACE")]
    with Store(server) as store:  # their log came along: undo takes back their last step
        assert store.edits.undo(store.documents.id_of("k1"), "alice")
    assert spans(server) == [ALICE, Span(10, 13, "PLACE")]


def test_a_copy_that_did_nothing_since_changes_nothing(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE, BOB])
    edit(server, remove=[BOB])  # only the server worked on since
    before = dump(server)
    result = merge(server, laptop)
    assert result.conflicts == [] and result.layer_documents_copied == 0
    assert dump(server) == before


def test_an_undo_of_shared_work_on_one_side_loses_no_span(tmp_path: Path) -> None:
    """Undo leaves no time in the log: which side undid and which redid is unknown, so the version
    with every span is kept."""
    server, laptop = server_and_copy(tmp_path, [ALICE, BOB])
    with Store(laptop) as store:
        store.edits.undo(store.documents.id_of("k1"), "alice")
    edit(laptop, add=[PARIS])
    result = merge(server, laptop)
    assert len(result.conflicts) == 1  # the laptop's Paris is new, the server's Alice and Bob too
    assert spans(server) == [ALICE, BOB]
    assert spans(server, "alice@laptop") == [PARIS]


def test_a_superset_is_kept_whichever_side_holds_it(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE])
    edit(server, add=[BOB])
    edit(laptop, add=[BOB, PARIS])  # both changed it, the laptop's has every span of the server's
    assert merge(server, laptop).conflicts == []
    assert spans(server) == [ALICE, BOB, PARIS]
    edit(laptop, remove=[PARIS])
    edit(server, add=[MONDAY])
    assert merge(server, laptop).conflicts == []  # now the server's has every span of the laptop's
    assert spans(server) == [ALICE, BOB, PARIS, MONDAY]


def test_both_changed_keeps_theirs_as_a_conflict_layer_once(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE])
    edit(server, add=[BOB])
    edit(laptop, add=[PARIS])
    result = merge(server, laptop)
    [conflict] = result.conflicts
    assert (conflict.doc, conflict.layer, conflict.kept, conflict.moved_to) == (
        "k1",
        "alice",
        "mine",
        "alice@laptop",
    )
    assert (conflict.mine_spans, conflict.theirs_spans) == (2, 2)
    assert spans(server) == [ALICE, BOB]
    assert spans(server, "alice@laptop") == [ALICE, PARIS]
    with Store(server) as store:
        doc_id = store.documents.id_of("k1")
        assert store.layers.kind("alice@laptop") == "conflict"
        assert store.progress.status(doc_id, "alice@laptop") == "in_progress"
        assert store.edits.undo(doc_id, "alice@laptop")  # its log came along, renamed
        assert store.edits.redo(doc_id, "alice@laptop")
    once = dump(server)
    again = merge(server, laptop)
    assert again.conflicts == [] and again.kept_earlier == 1
    assert dump(server) == once
    # someone reviews it, finds Paris wrong and clears the kept layer: merging again brings nothing back
    edit(server, layer="alice@laptop", remove=[ALICE, PARIS])
    reviewed = dump(server)
    assert merge(server, laptop).kept_earlier == 1
    assert dump(server) == reviewed
    # the laptop works on: its new version is kept next to the earlier one
    edit(laptop, add=[MONDAY])
    assert [c.moved_to for c in merge(server, laptop).conflicts] == ["alice@laptop-2"]
    assert spans(server, "alice@laptop-2") == [ALICE, PARIS, MONDAY]


def test_prefer_theirs_keeps_mine_as_a_layer_named_after_this_database(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE])
    edit(server, add=[BOB])
    edit(laptop, add=[PARIS])
    [conflict] = merge(server, laptop, prefer="theirs").conflicts
    assert (conflict.kept, conflict.moved_to) == ("theirs", "alice@server")
    assert spans(server) == [ALICE, PARIS]
    assert spans(server, "alice@server") == [ALICE, BOB]
    once = dump(server)
    assert merge(server, laptop, prefer="theirs").conflicts == []
    assert merge(server, laptop).conflicts == []
    assert dump(server) == once


def test_conflict_layer_names_avoid_other_layers(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE], copy="my laptop (2)")
    edit(server, add=[BOB])
    edit(laptop, add=[PARIS])
    edit(server, layer="alice@my-laptop-2", add=[MONDAY])  # an annotator of that name
    edit(laptop, layer="alice@my-laptop-2-2", add=[MONDAY])  # and a layer of the other database
    [conflict] = merge(server, laptop).conflicts
    assert conflict.moved_to == "alice@my-laptop-2-3"


def test_a_kept_version_is_no_annotator(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE])
    for path, span in ((server, BOB), (laptop, PARIS)):
        edit(path, add=[span])
        with Store(path) as store:
            store.progress.set_status(store.documents.id_of("k1"), "alice", "done")
    merge(server, laptop)
    with Store(server) as store:
        assert [sorted(d.layers) for d in store.teams.finished_documents()] == [["alice"]]


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE])
    edit(server, add=[BOB])
    edit(laptop, add=[PARIS])
    with Store(laptop) as store:
        store.documents.import_records(
            [ImportRecord(TEXTS["k2"], "k2", "t", spans=[Span(4, 7, "EVENT")])], "bob"
        )
    before = dump(server)
    dry = merge(server, laptop, dry_run=True)
    assert dump(server) == before
    real = merge(server, laptop)
    assert dry.dry_run and not real.dry_run
    assert (dry.documents_added, dry.spans_added, dry.conflicts, dry.layers) == (
        real.documents_added,
        real.spans_added,
        real.conflicts,
        real.layers,
    )
    assert {name: (c.documents, c.spans_added, c.kind) for name, c in real.layers.items()} == {
        "alice@laptop": (1, 2, "conflict"),
        "bob": (1, 1, "annotator"),
    }


def test_a_label_whose_key_is_taken_is_refused(tmp_path: Path) -> None:
    server, laptop = server_and_copy(tmp_path, [ALICE])
    with Store(laptop) as store:
        store.conn.execute(
            "INSERT INTO labels (name, key, colour, position) VALUES ('PERSON', 'a', '#ffffff', 9)"
        )
        store.conn.commit()
    edit(laptop, add=[Span(0, 5, "PERSON")])
    before = dump(server)
    with pytest.raises(AnnotatorError, match=r"laptop.db: cannot merge: its label PERSON has the key 'a' of"):
        merge(server, laptop)
    assert dump(server) == before
