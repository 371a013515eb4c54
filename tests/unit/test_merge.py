"""Merging in the store: random databases with overlapping documents and layers merge once and for all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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
