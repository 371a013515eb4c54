"""Assignment: every document to N annotators, loads within one, stable as documents and users come."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.assignment import assign
from annotator.errors import AnnotatorError

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
