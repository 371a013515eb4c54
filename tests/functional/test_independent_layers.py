"""Agreement, disagreements, review and learned suggestions come only from independent layers: a version
merge kept for review (layer kind ``conflict``) is no annotator even once marked done, and `agreement`
says when suggestions learned across annotators, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.model import Span
from annotator.store import Store
from tests.functional.test_merge import make
from tests.functional.test_suggest import suggestions


@pytest.fixture
def merged_conflict(run, db: Path, tmp_path: Path) -> None:
    """Alice's k1 here and on a laptop, both changed: the laptop's version is kept as alice@laptop; bob
    finished k1 too. Someone then opens alice@laptop and marks it done."""
    make(db, "alice", {"k1": [(0, 5, "ACTOR")]})
    other = make(tmp_path / "laptop.db", "alice", {"k1": [(0, 5, "ACTOR")]})
    with Store(db) as store:
        doc = store.documents.id_of("k1")
        store.edits.edit(doc, "alice", add=[Span(10, 13, "ACTOR")], who="alice")
        store.edits.edit(doc, "bob", add=[Span(0, 5, "ACTOR"), Span(10, 13, "ACTOR")], who="bob")
        store.progress.set_status(doc, "bob", "done")
    with Store(other) as store:
        store.edits.edit(store.documents.id_of("k1"), "alice", add=[Span(17, 22, "PLACE")], who="alice")
    assert run("merge", str(other)).exit_code == 0
    with Store(db) as store:
        assert store.layers.kind("alice@laptop") == "conflict"
        store.progress.set_status(store.documents.id_of("k1"), "alice@laptop", "done")


def test_a_kept_conflict_version_is_no_annotator_even_when_done(run, db: Path, merged_conflict) -> None:
    report = json.loads(run("agreement", "--json").stdout)
    assert report["annotators"] == ["alice", "bob"]
    assert [(p["a"], p["b"], p["f1_exact"]) for p in report["pairs"]] == [("alice", "bob", 1.0)]
    disagreements = run("disagreements", "--json")
    assert disagreements.stdout == ""  # alice and bob agree; the laptop's PLACE is no disagreement
    with Store(db) as store:
        (counts,) = store.teams.review_counts()
        assert (counts.layers, counts.partial) == (2, 0)
        (finished,) = store.teams.finished_documents()
        assert sorted(finished.layers) == ["alice", "bob"]
        # every layer that spans or statuses name has its row, so filtering by kind drops none
        named = {
            r[0] for r in store.conn.execute("SELECT layer FROM spans UNION SELECT layer FROM doc_status")
        }
        assert named <= set(store.layers.kinds())


def test_a_kept_conflict_version_teaches_no_one_else(
    run, db: Path, merged_conflict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.kb.learned import learning_layers

    with Store(db) as store:
        kinds = store.layers.kinds()
    assert learning_layers("bob", kinds) == ["bob", "gold"]
    assert learning_layers("bob", kinds, from_other_annotators=True) == ["alice", "bob", "gold"]
    assert learning_layers("alice@laptop", kinds) == ["alice@laptop", "gold"]
    assert learning_layers("gold", kinds) == ["alice", "bob", "gold"]
    settings = tmp_path / "annotator.toml"
    settings.write_text("[learning]\nfrom_other_annotators = true\n", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(settings))
    assert [c["text"] for c in suggestions(run, "--doc", "k1", user="carol")] == ["Alice", "Bob"]
    # Paris is only in the laptop's version: not proposed to anyone else


def test_agreement_warns_when_suggestions_learn_across_annotators(
    run, db: Path, merged_conflict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blind = run("agreement")
    assert blind.exit_code == 0 and "warning" not in blind.stderr
    settings = tmp_path / "annotator.toml"
    settings.write_text("[learning]\nfrom_other_annotators = true\n", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(settings))
    for args in ((), ("--json",)):
        result = run("agreement", *args)
        assert result.exit_code == 0
        assert result.stderr.splitlines() == [
            "warning: annotator.toml has [learning] from_other_annotators = true: each annotator's proposals"
            " learn from the other annotators' layers, so the annotation is not blind and agreement may be"
            " inflated"
        ]
    assert json.loads(run("agreement", "--json").stdout)["annotators"] == ["alice", "bob"]
