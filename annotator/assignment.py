"""Which annotators get which documents: every document to ``overlap`` users, balanced and stable.

Documents are identified by their content hash, so an assignment means the same on every machine.

The rule, in three steps over the previous assignment (empty the first time):

1. Keep what stands: a user still in the list keeps the documents they had, and a user who has started
   on a document (say a layer imported for a user just added to the list) gets it. A document with more
   users than ``overlap`` drops those with the lowest rendezvous score (never one who has started on it).
2. Fill: documents lacking users (new documents, users removed, a larger overlap), in hash order, each
   take first the users who have already started on them, then the least-loaded users, ties broken by
   the highest rendezvous score
   (``blake2b(user, document)``, highest random weight hashing). Taking the least-loaded keeps the loads
   within one of each other when only documents are added, without moving anything already assigned.
3. Balance: with ``T`` assignments over ``U`` users every user's quota is ``T // U``, plus one for the
   ``T % U`` users already holding most. Users over quota give documents to users under it; each receiver
   takes, among documents it lacks and a donor over quota holds, those it scores highest. This moves the
   fewest assignments that can make the loads differ by at most one: adding a user moves exactly the
   documents the new user receives, and nothing else changes.

Work already started (status in progress or done, e.g. an imported layer) counts: such a document goes
to the user who started it, and never moves away from them; so the loads can differ by more than one
when someone has already done more than their share.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from annotator.errors import AnnotatorError
from annotator.model import AssignmentChange

if TYPE_CHECKING:
    from annotator.store import Store


def score(user: str, document: str) -> int:
    """The rendezvous (highest random weight) score of ``user`` for ``document``."""
    digest = hashlib.blake2b(f"{user}\x00{document}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def assign(
    documents: Sequence[str],
    users: Sequence[str],
    overlap: int,
    current: Mapping[str, Collection[str]] | None = None,
    keep: Collection[tuple[str, str]] = (),
) -> dict[str, list[str]]:
    """Document → sorted users, per the module docstring. ``keep`` holds ``(document, user)`` pairs
    that must not move."""
    if not users or any(not u for u in users):
        raise AnnotatorError("--users needs at least one non-empty name")
    if len(set(users)) != len(users):
        raise AnnotatorError("--users names someone twice")
    if not 1 <= overlap <= len(users):
        raise AnnotatorError(f"--overlap must be between 1 and the number of users ({len(users)})")
    current = current or {}
    keep = set(keep)
    known = set(users)
    assigned: dict[str, set[str]] = {}
    started: dict[str, set[str]] = {}
    for doc, user in keep:
        if user in known:
            started.setdefault(doc, set()).add(user)
    for doc in sorted(set(documents)):
        holders = {u for u in current.get(doc, ()) if u in known} | started.get(doc, set())
        if len(holders) > overlap:
            droppable = sorted((u for u in holders if (doc, u) not in keep), key=lambda u: score(u, doc))
            for user in droppable[: len(holders) - overlap]:
                holders.discard(user)
        assigned[doc] = holders
    loads = Counter({u: 0 for u in users})
    for holders in assigned.values():
        loads.update(holders)
    for doc, holders in assigned.items():
        missing = overlap - len(holders)
        if missing > 0:
            free = sorted(
                (u for u in users if u not in holders),
                key=lambda u: ((doc, u) not in keep, loads[u], -score(u, doc), u),
            )
            for user in free[:missing]:
                holders.add(user)
                loads[user] += 1
    _balance(assigned, users, loads, keep)
    return {doc: sorted(holders) for doc, holders in assigned.items()}


def _balance(
    assigned: dict[str, set[str]], users: Sequence[str], loads: Counter[str], keep: set[tuple[str, str]]
) -> None:
    total = sum(loads.values())
    base, extra = divmod(total, len(users))
    by_load = sorted(users, key=lambda u: (-loads[u], u))
    quota = {u: base + (1 if i < extra else 0) for i, u in enumerate(by_load)}
    surplus = {u: loads[u] - quota[u] for u in users if loads[u] > quota[u]}
    for receiver in sorted(users, key=lambda u: (loads[u] - quota[u], u)):
        deficit = quota[receiver] - loads[receiver]
        if deficit <= 0 or not surplus:
            continue
        for doc in sorted(assigned, key=lambda d: -score(receiver, d)):
            holders = assigned[doc]
            if receiver in holders:
                continue
            donors = [u for u in holders if surplus.get(u, 0) > 0 and (doc, u) not in keep]
            if not donors:
                continue
            donor = min(donors, key=lambda u: (score(u, doc), u))
            holders.discard(donor)
            holders.add(receiver)
            loads[donor] -= 1
            loads[receiver] += 1
            surplus[donor] -= 1
            if surplus[donor] == 0:
                del surplus[donor]
            deficit -= 1
            if deficit == 0 or not surplus:
                break


def reassign(
    hashes: Mapping[int, str],
    before: Mapping[int, Collection[str]],
    started: Iterable[tuple[int, str]],
    users: Sequence[str],
    overlap: int,
) -> dict[int, list[str]]:
    """:func:`assign` by document id: ``hashes`` maps each document to its content hash, ``before`` holds
    the assignments so far and ``started`` the ``(document, layer)`` pairs with work in them (kept where
    the layer is one of ``users``). The new assignments, by document id."""
    current = {hashes[doc_id]: names for doc_id, names in before.items()}
    keep = {(hashes[doc_id], layer) for doc_id, layer in started if layer in users}
    result = assign(list(hashes.values()), users, overlap, current, keep)
    ids = {digest: doc_id for doc_id, digest in hashes.items()}
    return {ids[digest]: names for digest, names in result.items()}


def assign_documents(store: Store, users: Sequence[str], overlap: int) -> AssignmentChange:
    """Reassign every document of ``store`` by :func:`reassign`, save the result, and say what changed."""
    hashes = store.documents.hashes()
    if not hashes:
        raise AnnotatorError("no documents to assign; use 'annotator import PATH' first", store.path)
    before = store.teams.assignments()
    after = reassign(hashes, before, store.teams.started(), users, overlap)
    store.teams.set_assignments(after)
    return AssignmentChange(list(users), before, after)
