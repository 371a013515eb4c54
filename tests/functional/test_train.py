"""`annotator train` and the model behind `annotator suggest`: bad inputs, held-out scores per label, the
model kept in the database (and carried by backup and merge), the blind rule, and the threshold."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.store import Store
from annotator.tagger.starter import starter_bytes

# Documents in which the team's guideline is plain: a country that acts is an ACTOR, where things happen
# a PLACE, a nominal event an EVENT.
TEMPLATES = [
    ("{a} says {b} shelled {p} during the {e}.", ["ACTOR", "ACTOR", "PLACE", "EVENT"]),
    ("Reporters in {p} saw the {e} after {a} spoke.", ["PLACE", "EVENT", "ACTOR"]),
    ("{a} said the {e} in {p} was over.", ["ACTOR", "EVENT", "PLACE"]),
]
NAMES = {
    "a": ["Armenia", "Azerbaijan", "Turkey", "Russia", "Iran", "Georgia"],
    "b": ["Baku", "Yerevan", "Moscow", "Ankara", "Tehran", "Tbilisi"],
    "p": ["Martuni", "Shusha", "Fizuli", "Gubadli", "Lachin", "Kelbajar"],
    "e": ["war", "ceasefire", "attack", "truce", "offensive", "siege"],
}


def document(n: int) -> dict:
    """A document of nine sentences with gold spans, different for each ``n``."""
    text, spans = f"Report number {n}. ", []
    for k in range(9):
        template, labels = TEMPLATES[(n + k) % len(TEMPLATES)]
        fields = {
            key: values[(n * 5 + k * (i + 1)) % len(values)] for i, (key, values) in enumerate(NAMES.items())
        }
        if "{b}" in template:
            fields["b"] = NAMES["a"][(n + k + 2) % len(NAMES["a"])]
        sentence = template
        order = [part[0] for part in template.split("{")[1:]]
        for key, label in zip(order, labels, strict=True):
            at = sentence.index("{" + key + "}")
            sentence = sentence.replace("{" + key + "}", fields[key], 1)
            spans.append((len(text) + at, len(text) + at + len(fields[key]), label))
        text += sentence + " "
    return {
        "id": f"doc{n}",
        "text": text.strip(),
        "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
    }


def import_documents(run, tmp_path: Path, layer: str, numbers: range) -> None:
    path = tmp_path / f"{layer}-{numbers.start}.jsonl"
    path.write_text("".join(json.dumps(document(n)) + "\n" for n in numbers), encoding="utf-8")
    result = run("import", str(path), "--as", layer)
    assert result.exit_code == 0, result.stderr


def test_the_fixture_documents_are_consistent() -> None:
    d = document(3)
    assert all(d["text"][s["start"] : s["end"]][:1].isupper() or s["label"] == "EVENT" for s in d["spans"])
    assert len(d["spans"]) == 9 * 3 + 3  # three templates of 4, 3 and 3 spans


def test_train_without_finished_documents_is_one_clear_line(run, db: Path, tmp_path: Path) -> None:
    (tmp_path / "plain.jsonl").write_text(json.dumps({"id": "x", "text": "Armenia says."}) + "\n")
    assert run("import", str(tmp_path / "plain.jsonl")).exit_code == 0
    result = run("train")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "no finished documents in layers gold, alice to train on" in result.stderr
    assert "Traceback" not in result.stderr
    with Store(db) as store:
        assert store.models.all() == []


def test_train_from_an_unknown_layer_fails(run, tmp_path: Path) -> None:
    import_documents(run, tmp_path, "alice", range(3))
    result = run("train", "--from", "nobody")
    assert result.exit_code == 1
    assert result.stderr.startswith("annotator: error: --from nobody: no such layer")


def test_train_without_a_database_fails(run) -> None:
    result = run("train")
    assert result.exit_code == 1
    assert "no such database" in result.stderr


def test_train_prints_held_out_scores_per_label_and_keeps_the_model(run, db: Path, tmp_path: Path) -> None:
    import_documents(run, tmp_path, "alice", range(10))
    result = run("train")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("trained on 10 documents") and "of layers gold, alice" in lines[0]
    assert lines[1].startswith("held out 2 documents: ")
    table = {line.split()[0]: line for line in lines[2:7]}
    assert set(table) == {"label", "ACTOR", "EVENT", "PLACE", "all"}
    assert "starter model" in table["label"]
    assert lines[-1].startswith("saved as alice's model")
    with Store(db) as store:
        model = store.models.current("alice")
    assert model is not None and model.documents == 10 and model.trained_from == ("gold", "alice")
    assert model.scores is not None and model.scores["all"]["f1"] > model.baseline["all"]["f1"]
    assert model.data != starter_bytes()

    # suggest now proposes with it: every proposal has a source and a confidence
    (tmp_path / "new.jsonl").write_text(
        json.dumps({"id": "new", "text": "Iran says Turkey shelled Lachin during the siege."}) + "\n"
    )
    assert run("import", str(tmp_path / "new.jsonl")).exit_code == 0
    found = suggest(run, "--doc", "new")
    assert {(f["text"], f["label"], f["source"]) for f in found} >= {
        ("Iran", "ACTOR", "model"), ("Lachin", "PLACE", "model"), ("siege", "EVENT", "model")}  # fmt: skip
    assert all(0.5 <= f["confidence"] <= 1 for f in found)
    # Text tagged before that the model also proposes, with no KB entry: the learned match's score, not 0.
    learned = [f for f in found if "learned" in f["also"]]
    assert learned and all(f["score"] == 100 and f["kb_id"] is None for f in learned), found


def test_a_team_holding_the_starters_documents_is_not_measured_against_the_starter(
    run, db: Path, tmp_path: Path
) -> None:
    """The starter learned the GUM documents: scored on them it would always win, so a team that imported
    and tagged them could never get a model of its own (what a QA pass saw: the starter at 1.00)."""
    from annotator.training import starter_corpus

    gum = starter_corpus()[:3]
    path = tmp_path / "gum.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": d.key,
                    "text": d.text,
                    "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in d.spans],
                }
            )
            + "\n"
            for d in gum
        ),
        encoding="utf-8",
    )
    assert run("import", str(path), "--as", "alice").exit_code == 0
    result = run("train")
    assert result.exit_code == 0, result.stderr
    assert "was trained on each of them, so it is not scored on them" in result.stdout
    assert "1.00 / 1.00 / 1.00" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("saved as alice's model")
    with Store(db) as store:
        model = store.models.current("alice")
    assert model is not None and model.baseline is None and model.seen is not None


def test_a_stored_model_is_measured_on_documents_finished_since_it_was_trained(
    run, db: Path, tmp_path: Path
) -> None:
    import_documents(run, tmp_path, "alice", range(8))
    assert run("train").exit_code == 0
    with Store(db) as store:
        first = store.models.current("alice")
    assert first is not None and first.seen is not None
    from annotator.training import text_digest

    assert {text_digest(document(n)["text"]) for n in range(8)} <= first.seen

    # Trained again on the same documents: the same model, nothing saved.
    again = run("train")
    assert again.exit_code == 0 and again.stdout.splitlines()[-1].endswith("the new model is the same")
    assert "so it is not scored on them" in again.stdout

    # Two documents more: those are held out, and the stored model is scored on them beside the new one.
    import_documents(run, tmp_path, "alice", range(8, 10))
    result = run("train")
    assert result.exit_code == 0, result.stderr
    held = next(line for line in result.stdout.splitlines() if line.startswith("held out"))
    assert held.endswith(": doc8, doc9")
    assert "model of alice" in result.stdout.splitlines()[2] and "not scored" not in result.stdout
    with Store(db) as store:
        assert len(store.models.all()) == (2 if result.stdout.splitlines()[-1].startswith("saved") else 1)


def suggest(run, *args: str, user: str = "alice") -> list[dict]:
    result = run("suggest", "--json", *args, user=user)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_finished_document_does_not_replace_the_starter(run, db: Path, tmp_path: Path) -> None:
    import_documents(run, tmp_path, "alice", range(1))
    result = run("train")
    assert result.exit_code == 0, result.stderr
    assert "none held out" in result.stdout and "kept the current starter model" in result.stdout
    assert "does not beat it" not in result.stdout  # nothing was measured, so it says so
    with Store(db) as store:
        assert store.models.current("alice") is None


def test_bobs_model_never_learns_from_alices_layer(run, db: Path, tmp_path: Path) -> None:
    import_documents(run, tmp_path, "alice", range(6))
    result = run("train", user="bob")
    assert result.exit_code == 1 and "no finished documents in layers gold, bob" in result.stderr
    import_documents(run, tmp_path, "bob", range(20, 24))
    assert run("train", user="bob").exit_code == 0
    with Store(db) as store:
        model = store.models.current("bob")
    assert model is not None and model.documents == 4 and model.trained_from == ("gold", "bob")


def test_the_model_survives_backup_and_merge(run, db: Path, tmp_path: Path) -> None:
    import_documents(run, tmp_path, "alice", range(8))
    assert run("train").exit_code == 0
    with Store(db) as store:
        model = store.models.current("alice")
    assert model is not None
    copy = tmp_path / "backup.db"
    assert run("backup", str(copy)).exit_code == 0
    with Store(copy) as store:
        assert store.models.current("alice") == model

    # merged into a laptop's database that has a model of its own: both kept, each user's newest current
    laptop = tmp_path / "laptop.db"
    with Store(laptop) as store:
        store.models.save(dataclass_replace(model, user="carol", created=model.created + 1))
    with Store(laptop) as store:
        result = store.merge.from_databases([db])
        assert result.models_added == 1
        assert store.models.current("alice").data == model.data
        assert store.models.current("carol").data == model.data
        assert store.merge.from_databases([db]).models_added == 0  # merging again changes nothing


def dataclass_replace(model, **changes):
    import dataclasses

    return dataclasses.replace(model, id=None, **changes)


def test_threshold_in_the_settings_file_hides_less_confident_proposals(
    run, tmp_path: Path, monkeypatch
) -> None:
    import_documents(run, tmp_path, "alice", range(1))
    (tmp_path / "new.jsonl").write_text(
        json.dumps(
            {
                "id": "new",
                "text": "Officials met in Lachin; Iran says the ceasefire holds after the war in Shusha.",
            }
        )
        + "\n"
    )
    assert run("import", str(tmp_path / "new.jsonl")).exit_code == 0
    everything = suggest(run, "--doc", "new", "--threshold", "0")
    model = [f for f in everything if f["source"] == "model"]
    assert model, everything
    lowest, *higher = sorted({f["confidence"] for f in model})
    assert higher, model  # at least two different confidences to put the threshold between
    cut = round((lowest + higher[0]) / 2, 6)
    settings = tmp_path / "annotator.toml"
    settings.write_text(f"[suggest]\nthreshold = {cut}\n", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(settings))
    kept = [f for f in suggest(run, "--doc", "new") if f["source"] == "model"]
    assert {f["text"] for f in kept} == {f["text"] for f in model if f["confidence"] > cut}
    settings.write_text("[suggest]\nthreshold = 2\n", encoding="utf-8")
    result = run("suggest")
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {settings}:2: threshold must be a number from 0 to 1, not 2\n"


def test_stats_report_seconds_and_keys_per_span_and_the_accepted_share(run, db: Path, tmp_path: Path) -> None:
    from annotator.model import Span

    (tmp_path / "d.jsonl").write_text(
        json.dumps({"id": "d", "text": "Iran says Turkey shelled Lachin."}) + "\n"
    )
    assert run("import", str(tmp_path / "d.jsonl")).exit_code == 0
    with Store(db) as store:
        doc = store.documents.id_of("d")
        store.edits.edit(doc, "alice", add=[Span(0, 4, "ACTOR", source="suggestion")], who="alice")
        store.edits.edit(doc, "alice", add=[Span(10, 16, "ACTOR"), Span(25, 31, "PLACE")], who="alice")
        store.progress.add_time(doc, "alice", 30.0, 12)
        store.progress.add_time(doc, "alice", 15.0, 3)
    data = json.loads(run("stats", "--json").stdout)
    effort = data["layers"]["alice"]["effort"]
    assert effort == {
        "documents": 1, "seconds": 45.0, "keys": 15, "spans_by_hand": 2, "spans_accepted": 1,
        "seconds_per_span": 15.0, "keys_per_span": 5.0, "accepted_share": 1 / 3,
    }  # fmt: skip
    table = run("stats").stdout
    assert "effort in the annotation screen" in table
    table = table[table.index("effort in the annotation screen") :]
    row = next(
        line for line in table.splitlines() if line.strip("│ ").startswith("alice") and "0:00:45" in line
    )
    assert all(cell in row for cell in ("15.0", "5.0", "33%"))

    # a merge keeps the larger key count, once
    other = tmp_path / "other.db"
    with Store(other) as store:
        store.merge.from_databases([db])
        store.merge.from_databases([db])
        assert store.progress.keys(store.documents.id_of("d"), "alice") == 15


def test_bob_learns_from_alice_only_when_the_project_says_so(
    run, db: Path, tmp_path: Path, monkeypatch
) -> None:
    import_documents(run, tmp_path, "alice", range(4))
    settings = tmp_path / "annotator.toml"
    settings.write_text("[learning]\nfrom_other_annotators = true\n", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(settings))
    result = run("train", user="bob")
    assert result.exit_code == 0, result.stderr
    assert "of layers gold, bob, alice" in result.stdout
    with Store(db) as store:
        model = store.models.current("bob")
    assert model is not None and model.documents == 4 and model.trained_from == ("gold", "bob", "alice")


def test_suggest_proposes_what_was_tagged_in_the_document_again_with_its_label(
    run, db: Path, tmp_path: Path
) -> None:
    """The in-document memory: alice tags the first Armenia ACTOR (her guideline: a country that acts);
    the starter model, trained on GUM where countries are places, proposes the later ones as ACTOR, but
    not the one after a locative preposition (``in Armenia``: where, not who)."""
    from annotator.model import Span

    text = "Armenia says the talks failed. Troops left Armenia today. Armenia and Turkey met in Armenia."
    (tmp_path / "seed.jsonl").write_text(json.dumps({"id": "seed", "text": text}) + "\n")
    assert run("import", str(tmp_path / "seed.jsonl")).exit_code == 0
    later = [i for i in range(1, len(text)) if text.startswith("Armenia", i)]
    before = {(f["start"], f["label"]) for f in suggest(run, "--doc", "seed")}
    assert not any((at, "ACTOR") in before for at in later), before
    with Store(db) as store:
        store.edits.edit(store.documents.id_of("seed"), "alice", add=[Span(0, 7, "ACTOR", None)], who="alice")
    found = {f["start"]: f for f in suggest(run, "--doc", "seed")}
    assert [found[at]["label"] for at in later[:2]] == ["ACTOR", "ACTOR"]
    assert {found[at]["source"] for at in later[:2]} == {"learned"} and 0 not in found
    locative = found.get(later[2])
    assert locative is None or (locative["label"], locative["source"]) != ("ACTOR", "learned")


def test_a_model_from_a_database_before_seen_digests_merges(run, db: Path, tmp_path: Path) -> None:
    """A database of the version before models kept the digests of their texts (no ``seen`` column, which
    merge reads without migrating it) still gives its models; they count as having seen nothing known."""
    import shutil
    import sqlite3

    import_documents(run, tmp_path, "alice", range(4))
    assert run("train").exit_code == 0
    older = tmp_path / "older.db"
    shutil.copy(db, older)
    conn = sqlite3.connect(older)
    conn.execute("ALTER TABLE models DROP COLUMN seen")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0009_model_seen'")
    conn.commit()
    conn.close()
    laptop = tmp_path / "laptop.db"
    with Store(laptop) as store:
        assert store.merge.from_databases([older]).models_added == 1
        merged = store.models.current("alice")
    with Store(db) as store:
        mine = store.models.current("alice")
    assert merged is not None and mine is not None
    assert merged.data == mine.data and merged.seen is None and mine.seen is not None
