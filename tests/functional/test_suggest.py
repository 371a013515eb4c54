"""Pre-annotation: earlier annotations propagated across documents, rejections and acceptances per user,
`annotator suggest`, and PLACE recall and precision on the hand-made gold of the seed article with the
full GeoNames gazetteer."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.model import Span
from annotator.store import Store
from annotator.store.edits import as_accepted
from annotator.suggest import propose
from tests.conftest import ROOT, load_kb

GOLD = ROOT / "tests" / "gold" / "seed_places.jsonl"


def write_docs(path: Path, texts: dict[str, str]) -> Path:
    path.write_text(
        "".join(json.dumps({"id": k, "text": t}) + "\n" for k, t in texts.items()), encoding="utf-8"
    )
    return path


@pytest.fixture
def two_docs(run, tmp_path: Path) -> None:
    docs = {
        "d1": "Shelling hit Gubadli and the OSCE Minsk Group met.",
        "d2": "Later the OSCE Minsk Group said Gubadli was quiet; gubadli residents fled.",
    }
    assert run("import", str(write_docs(tmp_path / "docs.jsonl", docs))).exit_code == 0
    kb = tmp_path / "kb.csv"
    kb.write_text("Qubadlı,PLACE,Kubadli,geonames:147305\n", encoding="utf-8")
    assert run("kb", "import", str(kb)).exit_code == 0


def suggestions(run, *args: str, user: str = "alice") -> list[dict]:
    """The KB's and learned text's proposals, without the model (tests/functional/test_train.py has it)."""
    result = run("suggest", "--json", "--no-model", *args, user=user)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_kb_matches_are_proposed_with_the_spec_shape(run, two_docs) -> None:
    found = suggestions(run, "--doc", "d1")
    assert found == [
        {"name": "Qubadlı", "text": "Gubadli", "label": "PLACE", "score": 85.71, "kb_id": "geonames:147305",
         "doc": "d1", "start": 13, "end": 20, "source": "kb", "confidence": 0.8571, "also": []},
    ]  # fmt: skip
    text = run("suggest", "--doc", "d1", "--no-model")
    assert text.stdout == "d1\t13-20\tGubadli\tPLACE\tQubadlı\tgeonames:147305\tkb 0.86\n"


def test_earlier_annotations_propagate_to_other_documents_and_rank_first(run, db: Path, two_docs) -> None:
    with Store(db) as store:
        d1 = store.documents.id_of("d1")
        store.edits.edit(d1, "bob", add=[Span(29, 45, "ACTOR", "osce-mg")], who="bob")  # OSCE Minsk Group
        store.edits.edit(d1, "bob", add=[Span(13, 20, "PLACE", "geonames:147305")], who="bob")
    found = suggestions(run, "--doc", "d2", user="bob")  # what bob tagged teaches bob
    assert [(c["text"], c["label"], c["kb_id"], c["start"]) for c in found] == [
        ("OSCE Minsk Group", "ACTOR", "osce-mg", 10),
        ("Gubadli", "PLACE", "geonames:147305", 32),
        ("gubadli", "PLACE", "geonames:147305", 51),  # learned text matches whatever its case
    ]
    assert found[1]["score"] == 100.0 and found[1]["name"] == "Qubadlı"
    # bob's own spans are not proposed to him again on d1; alice sees the KB's match only
    assert [c["text"] for c in suggestions(run, "--doc", "d1", user="bob")] == []
    assert [(c["text"], c["score"]) for c in suggestions(run, "--doc", "d1")] == [("Gubadli", 85.71)]
    kb = load_kb(db)
    first = kb.search("Gubadli")[0]
    assert (first.name, first.learned, first.score) == ("Qubadlı", 1, 100.0)
    kb.learn("Minsk Grp", "ACTOR", None)
    assert kb.search("Minsk Grp")[0].learned == 1


def test_another_annotators_layer_teaches_only_when_the_project_says_so(
    run, db: Path, two_docs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(db) as store:
        d1 = store.documents.id_of("d1")
        store.edits.edit(d1, "bob", add=[Span(29, 45, "ACTOR", "osce-mg")], who="bob")
    assert suggestions(run, "--doc", "d2") == []  # nothing of bob's (and d2's Gubadli looks like a word)
    assert "osce-mg" not in run("kb", "search", "OSCE Minsk Group").stdout
    settings = tmp_path / "annotator.toml"
    settings.write_text("[learning]\nfrom_other_annotators = true\n", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(settings))
    shared = [(c["text"], c["label"], c["kb_id"]) for c in suggestions(run, "--doc", "d2")]
    assert shared[0] == ("OSCE Minsk Group", "ACTOR", "osce-mg")
    assert "OSCE Minsk Group  osce-mg" in run("kb", "search", "OSCE Minsk Group").stdout.splitlines()[0]
    settings.write_text("[learning]\nfrom_other_annotators = 1\n", encoding="utf-8")
    result = run("suggest")
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {settings}:2: from_other_annotators: write true or false\n"


def test_gold_teaches_every_annotator(run, db: Path, two_docs) -> None:
    with Store(db) as store:
        store.edits.edit(store.documents.id_of("d1"), "gold", add=[Span(29, 45, "ACTOR")], who="lead")
    for user in ("alice", "bob"):
        lines = run("suggest", "--doc", "d2", "--no-model", user=user).stdout.splitlines()
        assert lines[0] == "d2\t10-26\tOSCE Minsk Group\tACTOR\tOSCE Minsk Group\t-\tlearned 1.00"


def test_rejected_proposals_do_not_come_back_accepted_ones_are_spans(run, db: Path, two_docs) -> None:
    with Store(db) as store:
        d1 = store.documents.id_of("d1")
        store.edits.edit(store.documents.id_of("d2"), "gold", add=[Span(10, 26, "ACTOR")], who="lead")
    by_text = {c["text"]: c for c in suggestions(run, "--doc", "d1")}
    assert list(by_text) == ["OSCE Minsk Group", "Gubadli"]  # best first: text tagged before leads
    minsk, gubadli = by_text["OSCE Minsk Group"], by_text["Gubadli"]
    with Store(db) as store:
        minsk_span = Span(minsk["start"], minsk["end"], minsk["label"])
        assert store.edits.reject(d1, "alice", [minsk_span], who="alice")
        assert not store.edits.reject(d1, "alice", [minsk_span], who="alice")  # twice: no error, no step
        assert [c["text"] for c in suggestions(run, "--doc", "d1")] == ["Gubadli"]
        assert "OSCE Minsk Group" in [c["text"] for c in suggestions(run, "--doc", "d1", user="dave")]
        accepted = as_accepted([Span(gubadli["start"], gubadli["end"], gubadli["label"], gubadli["kb_id"])])
        store.edits.edit(d1, "alice", add=accepted, who="alice")
        assert store.edits.spans(d1, "alice") == [
            Span(13, 20, "PLACE", "geonames:147305", "suggestion", store.edits.spans(d1, "alice")[0].id)
        ]
        assert accepted[0].source == "suggestion"
        assert suggestions(run, "--doc", "d1") == []
        assert store.edits.undo(d1, "alice") and store.edits.spans(d1, "alice") == []


def test_suggest_without_doc_covers_every_document_and_unknown_doc_fails(run, db: Path, two_docs) -> None:
    # d2 also writes "gubadli" in lower case: there it looks like a word, and Qubadlı is not prominent
    assert [(c["doc"], c["text"]) for c in suggestions(run)] == [("d1", "Gubadli")]
    with Store(db) as store:
        store.edits.edit(store.documents.id_of("d1"), "gold", add=[Span(13, 20, "PLACE")], who="lead")
    assert {c["doc"] for c in suggestions(run)} == {"d1", "d2"}  # once in gold, it is proposed everywhere
    result = run("suggest", "--doc", "nope", "--no-model")
    assert result.exit_code == 1 and "no document with key 'nope'" in result.stderr


# --- the seed article against the full gazetteer -------------------------------------------------


@pytest.fixture(scope="module")
def geonames_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole built-in gazetteer (235,000 places, 1.25 million names), built once for this module."""
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path_factory.mktemp("geonames") / "g.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "kb", "add-geonames"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


def test_geonames_gazetteer_holds_countries_as_place_and_actor(geonames_db: Path) -> None:
    kb = load_kb(geonames_db)
    found = kb.search("Azerbaijan", limit=2)
    assert [(s.name, s.label, s.kb_id) for s in found] == [
        ("Azerbaijan", "PLACE", "geonames:587116"),
        ("Azerbaijan", "ACTOR", "geonames:587116"),
    ]
    assert kb.search("Stepanakert")[0].name == "Khankendi"
    assert kb.search("Gubadli")[0].name == "Qubadlı"
    assert kb.search("US")[0].name == "United States"


def test_pre_annotation_of_the_seed_article_against_the_gold(geonames_db: Path) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    expected = {(s["start"], s["end"]) for s in gold["spans"] if s["label"] == "PLACE"}
    proposed = {(c.start, c.end) for c in propose(gold["text"], load_kb(geonames_db)) if c.label == "PLACE"}
    recall = len(expected & proposed) / len(expected)
    precision = len(expected & proposed) / len(proposed)
    assert recall >= 0.8 and precision >= 0.6, (recall, precision)


NOISY_KB = [
    {"name": "The", "label": "PLACE", "id": "the", "prominence": 871126},  # an alias of Teresina
    {"name": "Is", "label": "PLACE", "id": "is", "prominence": 4729},
    {"name": "Of", "label": "PLACE", "id": "of", "prominence": 31951},
    {"name": "Shell", "label": "PLACE", "id": "shell", "prominence": 900},
    {"name": "Hansen", "label": "PLACE", "id": "hansen", "prominence": 1249},
    {"name": "Post", "label": "PLACE", "id": "post", "prominence": 5349},
    {"name": "Mondaí", "label": "PLACE", "id": "mondai", "prominence": 10000},
    {"name": "Armenia", "label": "PLACE", "id": "am", "prominence": 2951776},
    {"name": "Armenien", "label": "PLACE", "id": "am-x", "prominence": 700},
    {"name": "United States", "label": "PLACE", "aliases": ["US"], "id": "us", "prominence": 327167434},
    {"name": "Us", "label": "PLACE", "id": "us-fr", "prominence": 1248},
    {"name": "Askyaran", "label": "PLACE", "aliases": ["Askeran"], "id": "askeran", "prominence": 1639},
    {"name": "Lagos Island", "label": "PLACE", "id": "lagos-island", "prominence": 209437},
]


def test_gazetteer_noise_is_not_proposed(run, tmp_path: Path, db: Path) -> None:
    kb_file = tmp_path / "noisy.jsonl"
    kb_file.write_text("".join(json.dumps(e) + "\n" for e in NOISY_KB), encoding="utf-8")
    assert run("kb", "import", str(kb_file)).exit_code == 0
    text = (
        "The shells fell. Is it over? Of course. Arthur Hansen said on Monday that an Armenian official "
        "left Armenia for the US with us. IS fighters shelled Askeran, and boats reached Lagos bsland.\n"
        "Post a Comment"
    )
    found = propose(text, load_kb(db))
    assert [(c.text, c.kb_id) for c in found] == [
        ("Armenia", "am"),
        ("US", "us"),
        ("Askeran", "askeran"),
        ("Lagos bsland", "lagos-island"),  # a typo on a capital: the KB writes "Island"
    ]


def test_add_geonames_with_a_population_floor(run, db: Path) -> None:
    result = run("kb", "add-geonames", "--min-population", "5000000")
    assert result.exit_code == 0, result.stderr
    # off a tty: no progress bar, one line as each phase starts, and what the index holds at the end
    *phases, indexed = result.stderr.splitlines()
    assert phases == [
        "annotator: reading the gazetteer...",
        "annotator: adding places...",
        "annotator: building the knowledge-base index...",
    ]
    assert indexed.startswith("indexed ")
    conn = sqlite3.connect(db)
    labels = dict(conn.execute("SELECT label, count(*) FROM kb_entries GROUP BY label").fetchall())
    cities = conn.execute(
        "SELECT count(*) FROM kb_entries WHERE description NOT LIKE 'country%' AND description != 'continent'"
    ).fetchone()[0]
    conn.close()
    assert labels["ACTOR"] == 252 and labels["PLACE"] == 252 + 7 + cities  # countries, continents, cities
    assert 40 < cities < 200  # the places of five million people or more
    assert search_names(run, "Sankt Peterburg") == "Saint Petersburg"


def search_names(run, query: str) -> str:
    result = run("kb", "search", query, "--json", "--limit", "1")
    return json.loads(result.stdout)["name"]


def test_search_and_suggest_without_a_kb(run, tmp_path: Path) -> None:
    assert run("import", str(write_docs(tmp_path / "d.jsonl", {"d": "Nothing in Gubadli."}))).exit_code == 0
    result = run("kb", "search", "Gubadli")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "the knowledge base is empty" in result.stderr
    assert suggestions(run) == []
