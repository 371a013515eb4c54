"""Assignment: every document to N annotators, loads within one, stable as documents and users come."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.assignment import assign
from annotator.errors import AnnotatorError
from annotator.store import Store

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank"]


def docs(n: int, prefix: str = "h") -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(n)]


def loads(result: dict[str, list[str]], users: list[str]) -> Counter[str]:
    counted = Counter({u: 0 for u in users})
    for names in result.values():
        counted.update(names)
    return counted


def pairs(result: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(doc, user) for doc, names in result.items() for user in names}


def assert_balanced(
    result: dict[str, list[str]], documents: list[str], users: list[str], overlap: int
) -> None:
    assert sorted(result) == sorted(documents)
    for names in result.values():
        assert len(names) == overlap == len(set(names))
        assert set(names) <= set(users)
    counted = loads(result, users)
    assert max(counted.values()) - min(counted.values()) <= 1, counted


sizes = st.tuples(st.integers(0, 60), st.integers(1, 6)).flatmap(
    lambda du: st.tuples(st.just(du[0]), st.just(du[1]), st.integers(1, du[1]))
)


@settings(max_examples=200, deadline=None)
@given(sizes)
def test_fresh_assignment_is_balanced_and_independent_of_order(size: tuple[int, int, int]) -> None:
    n, u, overlap = size
    users = NAMES[:u]
    result = assign(docs(n), users, overlap)
    assert_balanced(result, docs(n), users, overlap)
    assert assign(list(reversed(docs(n))), list(reversed(users)), overlap) == result


@settings(max_examples=200, deadline=None)
@given(sizes, st.integers(1, 40))
def test_adding_documents_moves_nothing_and_stays_balanced(size: tuple[int, int, int], added: int) -> None:
    n, u, overlap = size
    users = NAMES[:u]
    before = assign(docs(n), users, overlap)
    after = assign(docs(n) + docs(added, "new"), users, overlap, before)
    assert {doc: after[doc] for doc in before} == before
    assert_balanced(after, docs(n) + docs(added, "new"), users, overlap)


@settings(max_examples=200, deadline=None)
@given(sizes.filter(lambda s: s[1] < len(NAMES)))
def test_adding_a_user_moves_only_what_the_new_user_takes(size: tuple[int, int, int]) -> None:
    n, u, overlap = size
    users = NAMES[:u]
    newcomer = NAMES[u]
    before = assign(docs(n), users, overlap)
    after = assign(docs(n), [*users, newcomer], overlap, before)
    assert_balanced(after, docs(n), [*users, newcomer], overlap)
    gained = pairs(after) - pairs(before)
    lost = pairs(before) - pairs(after)
    assert {user for _, user in gained} <= {newcomer}
    assert len(gained) == len(lost) == loads(after, [newcomer])[newcomer]
    # the fewest moves balance allows: the newcomer gets the floor or the ceiling of the mean load
    assert len(gained) in {(n * overlap) // (u + 1), -(-n * overlap // (u + 1))}
    assert {doc for doc, _ in gained} == {doc for doc, _ in lost}


@settings(max_examples=100, deadline=None)
@given(sizes.filter(lambda s: s[1] >= 2), st.data())
def test_removing_a_user_or_changing_overlap_rebalances(
    size: tuple[int, int, int], data: st.DataObject
) -> None:
    n, u, overlap = size
    users = NAMES[:u]
    before = assign(docs(n), users, overlap)
    remaining = users[:-1]
    new_overlap = data.draw(st.integers(1, len(remaining)))
    after = assign(docs(n), remaining, new_overlap, before)
    assert_balanced(after, docs(n), remaining, new_overlap)


def test_rendezvous_spreads_documents_and_nobody_moves_on_a_rerun() -> None:
    users = NAMES[:3]
    result = assign(docs(1000), users, 2)
    assert_balanced(result, docs(1000), users, 2)
    assert assign(docs(1000), users, 2, result) == result
    # every pair of annotators shares documents (agreement needs overlap between all pairs)
    together = Counter(tuple(names) for names in result.values())
    assert len(together) == 3 and min(together.values()) > 250


def test_started_work_stays_and_is_preferred() -> None:
    users = ["alice", "bob", "carol"]
    keep = {(doc, "alice") for doc in docs(10)}  # alice imported a layer for every document
    result = assign(docs(10), users, 2, keep=keep)
    assert all("alice" in names for names in result.values())
    moved = assign(docs(10), [*users, "dave"], 2, result, keep=keep)
    assert all("alice" in names for names in moved.values())


def test_work_started_by_a_new_user_goes_to_them() -> None:
    users = ["alice", "bob"]
    first = assign(docs(6), users, 1)
    taken = next(doc for doc, names in first.items() if names == ["alice"])
    result = assign(docs(6), [*users, "dave"], 1, first, keep={(taken, "dave")})
    assert result[taken] == ["dave"]
    assert_balanced(result, docs(6), [*users, "dave"], 1)
    # with a larger overlap they join the users who had it
    first = assign(docs(6), users, 2)
    result = assign(docs(6), [*users, "dave"], 2, first, keep={(docs(6)[0], "dave")})
    assert "dave" in result[docs(6)[0]]


def test_bad_arguments() -> None:
    with pytest.raises(AnnotatorError, match="overlap"):
        assign(docs(3), ["a", "b"], 3)
    with pytest.raises(AnnotatorError, match="twice"):
        assign(docs(3), ["a", "a"], 1)


# --- through the command line and the store ------------------------------------------------------------


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
        "assigned 9 document(s) to 2 of 3 annotator(s): alice 6, bob 6, carol 6; "
        "18 assignment(s) added, 0 removed\n"
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
    assert again.stdout.endswith("0 assignment(s) added, 0 removed\n")
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


async def test_annotation_screen_opens_the_first_assigned_document(run, db: Path, tmp_path: Path) -> None:
    from annotator.tui.app import make_app

    import_texts(run, tmp_path, 6)
    run("assign", "--users", "alice,bob,carol")
    with Store(db) as store:
        first_id = store.documents.ids()[0]
        # someone whose first assigned document is not the first document of the database
        user = next(u for u in ("alice", "bob", "carol") if store.teams.document_order(u)[0] != first_id)
        first = store.teams.document_order(user)[0]
        assert store.teams.assignments()[first] == [user]
        app = make_app(store, user)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.screen.doc_id == first  # type: ignore[attr-defined]


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
        "assigned 6 document(s) to 1 of 3 annotator(s): alice 2, bob 2, dave 2; "
        "2 assignment(s) added, 2 removed\n"
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
