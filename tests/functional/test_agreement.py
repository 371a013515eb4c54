"""`annotator agreement` and `annotator disagreements`: the JSON report and the table, what counts, bad
usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.agreement import agreement
from annotator.model import GOLD, SpanKey
from annotator.store import Store
from tests.conftest import make_project, usage_error
from tests.unit.test_agreement import LABELS, TEXT


def test_agreement_worst_must_not_be_negative(run, db: Path) -> None:
    make_project(db)
    usage_error(run("agreement", "--worst", "-1"), "Invalid value for '--worst': -1 is not in the range x>=0")
    assert run("agreement", "--worst", "0").exit_code == 0


def write_layers(path: Path, layers: dict[str, dict[str, list[SpanKey]]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for name, documents in layers.items():
            for key, spans in documents.items():
                record = {
                    "id": key,
                    "text": TEXT + " " + key,
                    "_annotator_id": name,
                    "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
                }
                out.write(json.dumps(record) + "\n")
    return path


def test_agreement_json_through_the_cli(run, db: Path, tmp_path: Path) -> None:
    data = write_layers(
        tmp_path / "layers.jsonl",
        {
            "alice": {"k1": [(0, 5, "ACTOR"), (17, 22, "PLACE")], "k2": []},
            "bob": {"k1": [(0, 5, "ACTOR"), (17, 22, "ACTOR")], "k2": [(0, 5, "ACTOR")]},
            GOLD: {"k1": [(0, 5, "ACTOR")]},
        },
    )
    assert run("import", str(data)).exit_code == 0
    result = run("agreement", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["documents", "annotators", "pairs", "alpha_token", "per_label"]
    assert report["annotators"] == ["alice", "bob"]  # gold is not an annotator
    assert report["documents"] == 2
    (pair,) = report["pairs"]
    assert list(pair) == ["a", "b", "documents", "f1_exact", "f1_overlap", "kappa_token"]
    assert pair["f1_exact"] == pytest.approx(2 / 5)
    with Store(db) as store:
        expected = agreement(store.teams.finished_documents(), LABELS).to_json()
    assert report == json.loads(json.dumps(expected))
    table = run("agreement")
    assert table.exit_code == 0
    assert "kappa_token" in table.stdout and "Label confusion" in table.stdout


def test_unfinished_documents_do_not_count(run, db: Path, tmp_path: Path) -> None:
    data = write_layers(tmp_path / "l.jsonl", {"alice": {"k1": [(0, 5, "ACTOR")]}, "bob": {"k1": []}})
    run("import", str(data))
    with Store(db) as store:
        store.progress.set_status(store.documents.id_of("k1"), "bob", "in_progress")
    report = json.loads(run("agreement", "--json").stdout)
    assert report["documents"] == 0 and report["pairs"] == []
    assert run("agreement").exit_code == 0


def test_disagreements_json_lines_through_the_cli(run, tmp_path: Path) -> None:
    data = write_layers(
        tmp_path / "layers.jsonl",
        {
            "alice": {"k1": [(0, 5, "ACTOR"), (17, 22, "PLACE")], "k2": [(10, 13, "ACTOR")]},
            "bob": {"k1": [(0, 5, "ACTOR"), (17, 22, "ACTOR")], "k2": [(10, 13, "ACTOR")]},
        },
    )
    run("import", str(data))
    result = run("disagreements", "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [
        {
            "doc": "k1",
            "start": 17,
            "end": 22,
            "text": "Paris",
            "kind": "label",
            "layers": {"alice": "PLACE", "bob": "ACTOR"},
            "kb_ids": {"alice": None, "bob": None},
        }
    ]
    plain = run("disagreements")
    assert plain.stdout == "k1\t17-22\tlabel\tParis\talice=PLACE  bob=ACTOR\n"
    assert "1 disagreement in 2 documents" in plain.stderr


def test_an_empty_database(run, db: Path) -> None:
    Store(db).close()  # a database without documents (a missing one is an error)
    assert json.loads(run("agreement", "--json").stdout) == {
        "documents": 0,
        "annotators": [],
        "pairs": [],
        "alpha_token": None,
        "per_label": {label: {"f1_exact": None} for label in LABELS},
    }
    assert "agreement needs two" in run("agreement").stdout
    result = run("disagreements", "--json")
    assert (result.exit_code, result.stdout) == (0, "")
