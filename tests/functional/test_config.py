"""annotator.toml through the command line: `annotator init` writes it, a bad file is one line and the app
does not start, and the labels it lists become the project's label set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.config import load_config
from annotator.keymap import key_actions
from annotator.model import Span
from annotator.store import Store
from tests.conftest import SEED


def test_init_writes_every_action_commented_and_will_not_overwrite(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    written = (tmp_path / "annotator.toml").read_text(encoding="utf-8")
    for action in key_actions():
        assert f'# "{action.id}" = "{action.keys}"' in written
    assert load_config(tmp_path / "annotator.toml", key_actions()).keys == {}  # all commented out
    again = run("init")
    assert again.exit_code == 1 and "annotator.toml: already exists" in again.stderr
    assert run("init", "--force").exit_code == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[keys]\n"annotate.tag_2" = \n', "annotator.toml:2: not valid TOML"),
        ('[keys]\n"annotate.nope" = "k"\n', "annotator.toml:2: unknown action 'annotate.nope'"),
        ('[keys]\n\n"article.up" = 3\n', 'annotator.toml:3: article.up: keys must be a string like "a,1"'),
        ('[keys]\n"article.up" = "k,,"\n', "annotator.toml:2: article.up: keys must be a string"),
        ('# labels\n[colours]\nx = "y"\n', "annotator.toml:2: unknown section [colours]"),
        ('[labels]\n"NEW PLACE" = { key = "w" }\n', "annotator.toml:2: label name 'NEW PLACE'"),
        ('[labels]\nA = { key = "w" }\nB = { key = "w" }\n', "annotator.toml:3: B: key 'w' is A's already"),
        ('[labels]\nA = { key = "w", colour = "bluish" }\n', "annotator.toml:2: A: colour 'bluish' is not"),
        ('[labels]\nA = { key = "4" }\n', "annotator.toml:2: A: key must be one letter"),
        ('[labels]\nA = "w"\n', 'annotator.toml:2: A: write { key = "x", colour = "#rrggbb" }'),
        ('[labels]\nA = { key = "x" }\n', "annotator.toml:2: A: key 'x' already does 'Remove'"),
        ('\nguidelines = "nowhere.md"\n', "annotator.toml:2: guidelines: no such file"),
        ("guidelines = 3\n", 'annotator.toml:1: guidelines: write guidelines = "FILE.md"'),
    ],
)
def test_a_bad_settings_file_is_one_line_and_the_app_does_not_start(
    run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("import", str(SEED)).exit_code == 0
    (tmp_path / "annotator.toml").write_text(content, encoding="utf-8")
    result = run("annotate")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"annotator: error: {expected}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_config_named_by_the_environment_must_exist(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", str(SEED)).exit_code == 0
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "nope.toml"))
    result = run("annotate")
    assert result.exit_code == 1 and "nope.toml: no such settings file" in result.stderr


CONLL_LABELS = """[labels]
PER = { key = "r", colour = "#e5a50a" }
ORG = { key = "o", colour = "#2ec27e" }
LOC = { key = "c", colour = "#3584e4" }
MISC = { key = "m", colour = "#c061cb" }
"""


def test_labels_from_the_settings_file_are_the_projects_label_set(
    run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("import", str(SEED)).exit_code == 0
    with Store(db) as store:  # a span with a default label, made before the label set changed
        store.edits.edit(store.documents.ids()[0], "alice", add=[Span(0, 7, "PLACE")], who="alice")
    (tmp_path / "annotator.toml").write_text(CONLL_LABELS, encoding="utf-8")
    conll = tmp_path / "eng.conll"
    conll.write_text("-DOCSTART- -X- -X- O\n\nEU B-ORG\nrejects O\nGerman B-MISC\ncall O\n", encoding="utf-8")
    result = run("import", str(conll), "--as", "bob")
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        # the listed labels in order; PLACE stays (a span uses it), ACTOR and EVENT are gone
        assert [(label.name, label.key) for label in store.labels.all()] == [
            ("PER", "r"), ("ORG", "o"), ("LOC", "c"), ("MISC", "m"), ("PLACE", "p")
        ]  # fmt: skip
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["layers"]["bob"]["labels"]["ORG"] == 1
