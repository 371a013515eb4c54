"""The review screen under Pilot: agreed spans into gold without a key, take a layer's version, none,
edit by hand, undo, move between disagreements, finish; gold checked in the database each time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.model import GOLD, ImportRecord, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.disagreement_panel import DisagreementPanel
from tests.tui.test_suggestions import until

CALM = "Talks in Baku went well. Aliyev met Pashinyan in Moscow."
HOT = "Shelling hit Gubadli and Shusha. The Minsk Group met in Geneva on Monday."


def at(text: str, word: str, label: str) -> Span:
    start = text.index(word)
    return Span(start, start + len(word), label)


@pytest.fixture
def store(db: Path) -> Store:
    store = two_layers(db)
    yield store
    store.close()


def two_layers(db: Path) -> Store:
    """Two documents finished by alice and bob: 'calm' agrees more than 'hot'."""
    store = Store(db)
    store.documents.import_records(
        [ImportRecord(text=CALM, key="calm", source="t"), ImportRecord(text=HOT, key="hot", source="t")],
        default_layer="x",
    )
    calm, hot = store.documents.id_of("calm"), store.documents.id_of("hot")
    layers = {
        "alice": {
            calm: [at(CALM, "Baku", "PLACE"), at(CALM, "Aliyev", "ACTOR")],
            hot: [at(HOT, "Gubadli", "PLACE"), at(HOT, "Shusha", "PLACE"), at(HOT, "Minsk Group", "ACTOR"),
                  at(HOT, "Geneva", "PLACE")],
        },
        "bob": {
            calm: [at(CALM, "Baku", "PLACE"), at(CALM, "Aliyev", "ACTOR"), at(CALM, "Moscow", "PLACE")],
            hot: [at(HOT, "Gubadli", "PLACE"), at(HOT, "Shusha", "ACTOR"),
                  at(HOT, "The Minsk Group", "ACTOR")],
        },
    }  # fmt: skip
    for layer, docs in layers.items():
        for doc_id, spans in docs.items():
            for span in spans:
                store.edits.edit(doc_id, layer, add=[span], who=layer)
            store.progress.set_status(doc_id, layer, "done")
    return store


def gold(db: Path, key: str) -> list[tuple[str, str]]:
    with Store(db) as fresh:  # what is on disk
        doc = fresh.documents.id_of(key)
        text = fresh.documents.get(doc).text
        return [(text[s.start : s.end], s.label) for s in fresh.edits.spans(doc, GOLD)]


async def test_review_resolves_disagreements_into_gold(store: Store, db: Path) -> None:
    app = make_app(store, "lead", review=True)
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await until(pilot, lambda: screen.review is not None)  # ordered in a thread
        assert screen.doc_key == "hot"  # the least agreed document first
        assert gold(db, "hot") == [("Gubadli", "PLACE")]  # agreed: in gold without a keystroke
        panel = screen.query_one(DisagreementPanel)
        assert panel.note.startswith("1 agreed span put in gold (1 just now)")
        review = screen.review
        assert review is not None
        assert [(d.kind, d.text) for d in review.disagreements] == [
            ("label", "Shusha"), ("boundary", "The Minsk Group"), ("missing", "Geneva")
        ]  # fmt: skip
        view = screen.query_one(ArticleView)
        assert view.selection == (HOT.index("Shusha"), HOT.index("Shusha") + 6)  # the first one selected
        assert len(view.flags) == 3

        await pilot.press("2")  # bob's version of Shusha: ACTOR; on to the next open disagreement
        assert gold(db, "hot") == [("Gubadli", "PLACE"), ("Shusha", "ACTOR")]
        assert screen.current == 1 and len(view.flags) == 2
        await pilot.press("1")  # alice's boundary: Minsk Group
        assert ("Minsk Group", "ACTOR") in gold(db, "hot")
        await pilot.press("k")  # back to Minsk Group, and take none of them
        assert screen.current == 1
        await pilot.press("0")
        assert [g for g in gold(db, "hot") if "Minsk" in g[0]] == []
        await pilot.press("u")  # undo the 'none': alice's version is back
        assert ("Minsk Group", "ACTOR") in gold(db, "hot")
        assert screen.current == 2  # the 'none' moved on to Geneva (alice only); undo stays there
        await pilot.press("j")  # next wraps to the first
        assert screen.current == 0
        await pilot.press("k")
        assert screen.current == 2
        await pilot.press("1")
        assert ("Geneva", "PLACE") in gold(db, "hot")
        assert view.flags == []
        # edit by hand with the annotation keys: Monday as an EVENT
        await pilot.press("slash", *"monday", "enter", "e")
        assert ("Monday", "EVENT") in gold(db, "hot")
        await pilot.press("d")  # finish: gold done, the next document opens
        with Store(db) as fresh:
            assert fresh.progress.status(fresh.documents.id_of("hot"), GOLD) == "done"
        assert screen.doc_key == "calm"
        assert gold(db, "calm") == [("Baku", "PLACE"), ("Aliyev", "ACTOR")]
        assert [d.text for d in screen.review.disagreements] == ["Moscow"]
    # the annotators' layers are untouched
    with Store(db) as fresh:
        assert len(fresh.edits.spans(fresh.documents.id_of("hot"), "alice")) == 4


LINKED = "Pompeo met them in Washington. Baku and Yerevan answered."


async def test_review_keeps_kb_links_and_a_link_disagreement_is_its_own_kind(
    run, db: Path, tmp_path: Path
) -> None:
    """Alice and bob link Washington to the same GeoNames entry; only alice links Baku."""
    washington, baku = at(LINKED, "Washington", "PLACE"), at(LINKED, "Baku", "PLACE")
    versions = {
        "alice": [Span(washington.start, washington.end, "PLACE", "geonames:4140963"),
                  Span(baku.start, baku.end, "PLACE", "geonames:587084"), at(LINKED, "Pompeo", "ACTOR")],
        "bob": [Span(washington.start, washington.end, "PLACE", "geonames:4140963"),
                Span(baku.start, baku.end, "PLACE"), at(LINKED, "Pompeo", "ACTOR")],
    }  # fmt: skip
    records = tmp_path / "layers.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for layer, spans in versions.items():
            record = {"id": "linked", "text": LINKED, "_annotator_id": layer, "spans": [
                {"start": s.start, "end": s.end, "label": s.label, "kb_id": s.kb_id} for s in spans
            ]}  # fmt: skip
            out.write(json.dumps(record) + "\n")
    assert run("import", str(records)).exit_code == 0
    lines = [json.loads(line) for line in run("disagreements", "--json").stdout.splitlines()]
    assert lines == [
        {"doc": "linked", "start": baku.start, "end": baku.end, "text": "Baku", "kind": "link",
         "layers": {"alice": "PLACE", "bob": "PLACE"}, "kb_ids": {"alice": "geonames:587084", "bob": None}}
    ]  # fmt: skip
    plain = run("disagreements").stdout
    assert (
        plain
        == f"linked\t{baku.start}-{baku.end}\tlink\tBaku\talice=PLACE(geonames:587084)  bob=PLACE(no link)\n"
    )
    agreement = json.loads(run("agreement", "--json").stdout)
    assert agreement["pairs"][0]["f1_exact"] == 1.0  # links do not change the figures, only the review

    store = Store(db)
    app = make_app(store, "lead", review=True)
    async with app.run_test(size=(130, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await until(pilot, lambda: screen.review is not None)
        with Store(db) as fresh:  # agreed spans go to gold with their agreed link
            doc = fresh.documents.id_of("linked")
            assert [(s.label, s.kb_id) for s in fresh.edits.spans(doc, GOLD)] == [
                ("ACTOR", None), ("PLACE", "geonames:4140963")
            ]  # fmt: skip
        panel = screen.query_one(DisagreementPanel)
        assert [(item.kind, item.text) for item in panel.items] == [("link", "Baku")]
        assert [v.spans for v in panel.items[0].versions] == [
            (("PLACE", "→ geonames:587084"),), (("PLACE", "→ no link"),)
        ]  # fmt: skip
        await pilot.press("1")  # alice's version: linked
        assert screen.query_one(ArticleView).flags == []
        await pilot.press("d")
    store.close()
    exported = tmp_path / "gold.jsonl"
    assert run("export", "--format", "jsonl", "--layer", "gold", "--out", str(exported)).exit_code == 0
    (record,) = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [(LINKED[s["start"] : s["end"]], s.get("kb_id")) for s in record["spans"]] == [
        ("Pompeo", None), ("Washington", "geonames:4140963"), ("Baku", "geonames:587084")
    ]  # fmt: skip
