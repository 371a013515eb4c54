"""The hostile corpus (tests/data/hostile/) through every command's output and every screen: imported as
data, shown as text, nothing in any output a terminal would act on, and every export read back the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.model import Span
from annotator.store import Store
from annotator.tui.app import make_app

CORPUS = Path(__file__).resolve().parent.parent / "data" / "hostile"
ACTS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What a terminal could act on (a tab is fine in tab-separated lines; line breaks end lines)."""


def _nothing_acts(output: str, what: str) -> None:
    found = ACTS.search(output.replace("\t", " "))
    assert found is None, (
        f"{what}: {found.group()!r} in {output[max(found.start() - 40, 0) : found.start() + 40]!r}"
    )


RAW_TEXT = (
    "Plain words first. Title \x1b]0;pwned\x07 clip \x1b]52;c;cHduZWQ=\x07 link \x1b]8;;https://evil.example"
    "\x1b\\Baku\x1b]8;;\x1b\\ red \x1b[31mSHUSHA\x1b[0m clear \x1b[2J c1 \x9b32mGREEN \u202eevil\u202c end."
)
"""A text an earlier version let in with its controls (import removes them now): straight into the
database, under keys as hostile, beside a KB entry of escapes and markup."""
RAW_KEYS = ("raw\x1b]2;owned\x07[/]", "csi\x1b[31m\x9b32m\u202ekey")


@pytest.fixture
def project(run, db: Path) -> Path:
    """The corpus imported as alice's finished layer, and a bob layer that disagrees on every document."""
    result = run("import", str(CORPUS))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 13 documents")
    with Store(db) as store:
        for doc_id in store.documents.ids():
            _disagree(store, doc_id)
    return db


def _disagree(store: Store, doc_id: int) -> None:
    text = store.documents.get(doc_id).text
    end = next((i for i, c in enumerate(text) if c == " "), len(text))
    store.edits.edit(doc_id, "bob", [], [Span(0, end, "EVENT")])
    store.progress.set_status(doc_id, "bob", "done")


@pytest.fixture
def raw_project(project: Path) -> Path:
    """The project with two raw documents as an earlier version let in (their texts and keys holding
    escapes, alice and bob disagreeing on them) and a KB entry of escapes and markup."""
    import sqlite3

    from annotator.model import KbEntry
    from annotator.store.documents import content_hash

    conn = sqlite3.connect(project)
    for key in RAW_KEYS:
        text = RAW_TEXT + key
        conn.execute(
            "INSERT INTO documents (key, text, hash, created) VALUES (?, ?, ?, 0)",
            (key, text, content_hash(text)),
        )
    conn.commit()
    conn.close()
    entry = KbEntry(
        "Step\x1b]0;pwned\x07anakert", "PLACE", ("St\x9b31mep",), "geo:\x1b[31m1", "d \x1b]52;c;eA== [/]"
    )
    with Store(project) as store:
        store.kb.add([entry])
        for key in RAW_KEYS:
            doc_id = store.documents.id_of(key)
            store.edits.edit(doc_id, "alice", [], [Span(0, 5, "PLACE")])
            store.progress.set_status(doc_id, "alice", "done")
            _disagree(store, doc_id)
    return project


COMMANDS = [
    ["stats"], ["stats", "--json"], ["agreement"], ["agreement", "--json"], ["disagreements"],
    ["disagreements", "--json"], ["suggest"], ["suggest", "--json"], ["check"],
    ["export", "--format", "conll", "--layer", "alice", "--verbose", "--out", "OUT/a.conll"],
    ["export", "--format", "jsonl", "--layer", "alice", "--verbose", "--out", "OUT/a.jsonl"],
    ["export", "--format", "doccano", "--layer", "alice", "--verbose", "--out", "OUT/d.jsonl"],
    ["export", "--format", "brat", "--layer", "alice", "--verbose", "--out", "OUT/brat"],
    ["export", "--format", "spacy", "--layer", "alice", "--verbose", "--out", "OUT/a.spacy"],
    ["export", "--format", "jsonl", "--layer", "alice", "--split", "0.5,0.5", "--out", "OUT/split"],
    ["kb", "search", "Stepanakert"], ["kb", "search", "--json", "Stepanakert"], ["stats", "--daily"],
    ["assign", "--users", "alice,bob"], ["import", "CORPUS"],
]  # fmt: skip


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_every_command_prints_the_corpus_as_text(
    run, raw_project: Path, tmp_path: Path, args: list[str]
) -> None:
    args = [a.replace("OUT", str(tmp_path)).replace("CORPUS", str(CORPUS)) for a in args]
    result = run(*args, user="carol")
    assert result.exit_code == 0, result.stderr
    if args[:2] == ["kb", "search"]:  # the hostile entry is found, spelled out
        assert "Step\\x1b]0;pwned\\x07anakert" in result.stdout or "\\u001b]0;pwned" in result.stdout
    _nothing_acts(result.stdout, "stdout")
    _nothing_acts(result.stderr, "stderr")


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat", "conll"])
def test_every_export_reads_back_the_same_texts(run, project: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    assert run("export", "--format", fmt, "--layer", "alice", "--all", "--out", str(out)).exit_code == 0
    again = tmp_path / "again.db"
    from click.testing import CliRunner

    from annotator.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(again), "import", str(out), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    with Store(project) as mine, Store(again) as theirs:
        texts = {mine.documents.get(i).text for i in mine.documents.ids()}
        read_back = {theirs.documents.get(i).text for i in theirs.documents.ids()}
    if fmt == "conll":  # CoNLL keeps tokens, not spacing: compare the tokens' characters
        assert {"".join(t.split()) for t in read_back} == {"".join(t.split()) for t in texts}
    else:
        assert read_back == texts


async def test_every_document_on_the_screen_is_text(raw_project: Path) -> None:
    with Store(raw_project) as store:
        for size in ((80, 24), (120, 40)):
            app = make_app(store, "alice")
            async with app.run_test(size=size) as pilot:
                for _ in store.documents.ids():
                    await pilot.pause()
                    await pilot.press("shift+right", "shift+right")  # a selection: the status line shows it
                    await pilot.pause()
                    strips = app.screen._compositor.render_strips()
                    shown = "\n".join("".join(segment.text for segment in strip) for strip in strips)
                    _nothing_acts(shown, f"screen {size}")
                    await pilot.press("right_square_bracket")
