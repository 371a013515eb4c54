"""Bad input to the commands no other test file gives it to (docs/errors.md lists them all): a usage
mistake is click's usage text naming it and exit 2; any other is one line, exit 1; either way the
database is left byte for byte as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_project

USAGE = [
    (["assign", "--users", "alice,alice"], "give distinct, non-empty names: --users alice,bob,carol"),
    (["assign", "--users", "alice,,bob"], "give distinct, non-empty names"),
    (["assign", "--users", "alice,gold"], "gold is the reviewed layer, not an annotator"),
    (["assign", "--users", "alice,bob", "--overlap", "3"], "at most the number of users (2)"),
    (["export", "--format", "jsonl", "--split", "0.5,x", "--out", "OUT"], "expected fractions separated by"),
    (["export", "--format", "jsonl", "--split", "0.5,0.2", "--out", "OUT"], "two or three fractions"),
    (["export", "--format", "brat", "--out", "-"], "brat and --split write a folder, not standard output"),
    (["export", "--format", "jsonl", "--split", "0.8,0.2", "--out", "-"], "write a folder, not standard"),
    (["export", "--format", "jsonl", "--seed", "3", "--out", "OUT"], "--seed shuffles the documents for"),
    (["export", "--format", "jsonl", "--layer", "", "--out", "OUT"], "give a layer name, not an empty"),
    (["export", "--format", "jsonl", "--scheme", "bilou", "--out", "OUT"], "--scheme and --columns apply"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "expected"), USAGE, ids=lambda v: "-".join(v) if isinstance(v, list) else ""
)
def test_a_usage_mistake_is_named_and_exit_2(
    run, db: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    make_project(db)
    before = db.read_bytes()
    result = run(*[a.replace("OUT", str(tmp_path / "out")) for a in args])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert expected in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_train_from_a_layer_that_does_not_exist(run, db: Path) -> None:
    make_project(db)
    before = db.read_bytes()
    result = run("train", "--from", "nobody")
    assert (result.exit_code, result.stderr) == (
        1,
        "annotator: error: --from nobody: no such layer (layers: alice)\n",
    )
    assert db.read_bytes() == before


def test_a_backup_into_a_missing_folder(run, db: Path, tmp_path: Path) -> None:
    make_project(db)
    target = tmp_path / "nowhere" / "copy.db"
    result = run("backup", str(target))
    assert (result.exit_code, result.stderr) == (
        1,
        f"annotator: error: {target}: no folder {str(target.parent)!r} to write the backup in\n",
    )
    assert not target.parent.exists()


@pytest.mark.parametrize("command", [["stats"], ["import", "SEED"], ["check"]])
def test_a_folder_given_as_the_database_is_a_usage_mistake(run, tmp_path: Path, command: list[str]) -> None:
    from click.testing import CliRunner

    from annotator.cli import cli
    from tests.conftest import SEED

    folder = tmp_path / "folder"
    folder.mkdir()
    args = [str(SEED) if a == "SEED" else a for a in command]
    result = CliRunner().invoke(cli, ["--db", str(folder), *args])
    assert result.exit_code == 2
    assert f"Invalid value for '--db': File '{folder}' is a directory." in result.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("keys = 1\n", "annotator.toml:1: 'keys' must be a table: [keys]"),
        (
            "[learning]\nfrom_everyone = true\n",
            "annotator.toml:2: unknown setting 'from_everyone' in [learning]",
        ),
        ("[labels]\n", "annotator.toml:1: [labels] must list at least one label"),
        (
            "[labels]\n" + "".join(f'L{n} = {{ key = "{k}" }}\n' for n, k in enumerate("acehimprsvz")),
            "annotator.toml:1: [labels]: at most 9 labels (keys 1-9)",
        ),
        ("[suggest]\nmodel = 3\n", "annotator.toml:2: model must be true or false, not 3"),
        ('[suggest]\nmodel = "yes"\n', 'annotator.toml:2: model must be true or false, not "yes"'),
        (
            "[suggest]\nthreshold = true\n",
            "annotator.toml:2: threshold must be a number from 0 to 1, not true",
        ),
    ],
    ids=[
        "keys-not-a-table",
        "learning-unknown",
        "no-labels",
        "ten-labels",
        "model-not-bool",
        "model-a-string",
        "threshold-a-bool",
    ],
)
def test_a_bad_settings_file_stops_every_command(
    run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, expected: str
) -> None:
    make_project(db)
    before = db.read_bytes()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "annotator.toml").write_text(content, encoding="utf-8")
    result = run("stats")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"annotator: error: {expected}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert db.read_bytes() == before
