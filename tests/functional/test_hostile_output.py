"""Names are data in every output: document keys and layer names holding markup, escape sequences
(OSC 0 title, OSC 8 link, OSC 52 clipboard, CSI colour), C1 CSI and a bidi override, in a database an
earlier annotator made, shown by every command that prints them: as themselves, nothing acting."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.model import ImportRecord, Span
from annotator.store import Store

HOSTILE_KEYS = {
    "k1": "[/]",
    "k2": "[link=https://evil.example]k2[/link]",
    "k3": "\x1b]0;pwned\x1b\\",
    "k4": "\x1b]52;c;cHduZWQ=\x07",
    "k5": "\x1b[31mred\x9b32m\u202eevil",
}
HOSTILE_LAYER = "bob[/]\x1b]8;;https://evil.example\x1b\\x"
ACTING = ("\x1b", "\x9b", "\x07", "\u202e")
TEXT = "Troops left Gubadli. Troops left Gubadli again."


@pytest.fixture
def hostile(db: Path) -> Path:
    """Five documents done by alice and by the hostile layer (disagreeing), keys then made hostile as an
    earlier annotator let them be."""
    with Store(db) as store:
        for layer, spans in (("alice", [Span(12, 19, "PLACE")]), (HOSTILE_LAYER, [Span(12, 19, "ACTOR")])):
            store.documents.import_records(
                [ImportRecord(f"{TEXT} {key}.", key, "t", spans=spans) for key in HOSTILE_KEYS], layer
            )
        store.documents.import_records([ImportRecord("Gubadli once more.", "plain", "t")], "carol")
    conn = sqlite3.connect(db)
    for key, hostile_key in HOSTILE_KEYS.items():
        conn.execute("UPDATE documents SET key = ? WHERE key = ?", (hostile_key, key))
    conn.commit()
    conn.close()
    return db


def _nothing_acts(*outputs: str) -> None:
    for output in outputs:
        for char in ACTING:
            assert char not in output, (char, output)


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["agreement"],
        ["disagreements"],
        ["suggest", "--doc", "plain"],
        ["check"],
        ["export", "--format", "conll", "--out", "-", "--layer", "alice", "--verbose"],
    ],
)
def test_every_table_and_line_shows_names_as_themselves(run, hostile: Path, args: list[str]) -> None:
    result = run(*args, user="carol")
    assert result.exit_code == 0, result.stderr
    _nothing_acts(result.stdout, result.stderr)


def test_the_tables_show_markup_as_text_and_escapes_spelled_out(run, hostile: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no cell is cut
    assert " bob[/]\\x1b]8;;https://evil.example\\x1b\\x " in run("stats").stdout
    shown = run("agreement").stdout
    assert " [/] " in shown
    assert " [link=https://evil.example]k2[/link] " in shown
    assert " \\x1b]0;pwned\\x1b\\ " in shown
    assert " \\x1b[31mred\\x9b32m\\u202eevil " in shown


def test_disagreements_print_keys_spelled_out(run, hostile: Path) -> None:
    result = run("disagreements")
    keys = {line.split("\t")[0] for line in result.stdout.splitlines()}
    assert keys == {
        "[/]",
        "[link=https://evil.example]k2[/link]",
        "\\x1b]0;pwned\\x1b\\",
        "\\x1b]52;c;cHduZWQ=\\x07",
        "\\x1b[31mred\\x9b32m\\u202eevil",
    }


@pytest.mark.parametrize("args", [["stats", "--json"], ["agreement", "--json"], ["disagreements", "--json"]])
def test_json_output_escapes_them_and_reads_back_the_same(run, hostile: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    _nothing_acts(result.stdout)
    if args[0] == "disagreements":
        keys = {json.loads(line)["doc"] for line in result.stdout.splitlines()}
        assert keys == set(HOSTILE_KEYS.values())
    elif args[0] == "stats":
        assert HOSTILE_LAYER in json.loads(result.stdout)["layers"]
    else:
        assert [(p["a"], p["b"]) for p in json.loads(result.stdout)["pairs"]] == [("alice", HOSTILE_LAYER)]


def test_an_error_line_naming_a_hostile_key_is_one_literal_line(run, hostile: Path) -> None:
    result = run("suggest", "--doc", "\x1b]0;pwned\x07\nsecond line")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    _nothing_acts(result.stderr)
    assert "\\x1b]0;pwned\\x07\\nsecond line" in result.stderr
