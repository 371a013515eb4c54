"""`annotator assign`: what it says, the order the annotation screen then offers, stable reruns, bad usage."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from annotator.store import Store


def import_texts(run, tmp_path: Path, n: int, start: int = 0) -> None:
    path = tmp_path / f"docs{start}.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"k{i}", "text": f"Document number {i} about Paris."}) + "\n"
            for i in range(start, start + n)
        )
    )
    assert run("import", str(path)).exit_code == 0


def test_assign_command_and_the_order_the_screen_offers(run, db: Path, tmp_path: Path) -> None:
    import_texts(run, tmp_path, 9)
    result = run("assign", "--users", "alice,bob,carol", "--overlap", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "assigned 9 documents to 2 of 3 annotators: alice 6, bob 6, carol 6; "
        "18 assignments added, 0 removed\n"
    )
    with Store(db) as store:
        assigned = store.teams.assignments()
        mine = [doc_id for doc_id, names in assigned.items() if "alice" in names]
        order = store.teams.document_order("alice")
        assert order[:6] == sorted(mine)
        assert sorted(order) == store.documents.ids()
        store.progress.set_status(mine[0], "alice", "done")
        assert store.teams.document_order("alice")[:6] == [*sorted(mine)[1:], mine[0]]
        assert store.teams.document_order("zed") == store.documents.ids()  # nobody assigned: id order
    again = run("assign", "--users", "alice,bob,carol", "--overlap", "2")
    assert again.stdout.endswith("0 assignments added, 0 removed\n")
    import_texts(run, tmp_path, 3, start=9)
    more = run("assign", "--users", "alice,bob,carol,dave", "--overlap", "2")
    assert more.exit_code == 0
    with Store(db) as store:
        after = store.teams.assignments()
        counted = Counter(name for names in after.values() for name in names)
        assert sorted(counted.values()) == [6, 6, 6, 6]
        # alice started on mine[0]: it stays hers
        assert "alice" in after[mine[0]]
        # the old documents changed only where dave came in
        for doc_id, names in assigned.items():
            assert set(after[doc_id]) - {"dave"} <= set(names)


def test_assign_keeps_a_document_with_a_new_user_who_finished_it(run, db: Path, tmp_path: Path) -> None:
    import_texts(run, tmp_path, 6)
    assert run("assign", "--users", "alice,bob").exit_code == 0
    with Store(db) as store:
        done_by_dave = store.documents.id_of("k0")
        text = store.documents.get(done_by_dave).text
        holder = store.teams.assignments()[done_by_dave]
    dave = tmp_path / "dave.jsonl"
    dave.write_text(json.dumps({"text": text, "spans": [{"start": 16, "end": 18, "label": "ACTOR"}]}) + "\n")
    assert run("import", str(dave), "--as", "dave").exit_code == 0
    result = run("assign", "--users", "alice,bob,dave")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "assigned 6 documents to 1 of 3 annotators: alice 2, bob 2, dave 2; 2 assignments added, 2 removed\n"
    )
    with Store(db) as store:
        after = store.teams.assignments()
    assert after[done_by_dave] == ["dave"], (holder, after)


def test_assign_bad_usage(run, tmp_path: Path) -> None:
    import_texts(run, tmp_path, 2)
    assert run("assign", "--users", "alice,,bob").exit_code == 2
    assert run("assign", "--users", "alice,alice").exit_code == 2
    assert run("assign", "--users", "alice,bob", "--overlap", "3").exit_code == 2
    assert run("assign", "--users", "alice", "--overlap", "0").exit_code == 2
    assert run("assign", "--users", "alice,gold").exit_code == 2


def test_assign_without_documents(run, db: Path) -> None:
    Store(db).close()
    result = run("assign", "--users", "alice,bob")
    assert result.exit_code == 1
    assert "no documents to assign" in result.stderr
