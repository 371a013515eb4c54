"""`annotator merge` through the real command line: a laptop's database merged into the server's keeps
every span of both sides, `--dry-run` changes nothing, and merging twice changes nothing."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from annotator.model import Span
from annotator.store import Store
from tests.conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")
WORDS = [(m.start(), m.end()) for m in re.finditer(r"\b[A-Z][a-z]{2,}\b", TEXT)]
"""Capitalised words of the sample article: where the test's spans go."""


def annotator(db: Path, *args: str, user: str = "alice") -> subprocess.CompletedProcess[str]:
    """The real command line in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "--user", user, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ANNOTATOR_DB": "", "ANNOTATOR_USER": ""},
    )


def import_layer(db: Path, layer: str, spans: list[tuple[int, int, str]]) -> None:
    """The sample article with ``spans``, imported through the command line as ``layer``'s (finished)."""
    source = db.with_name(f"{db.stem}-{layer}.jsonl")
    record = {
        "id": "article",
        "text": TEXT,
        "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
    }
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    done = annotator(db, "import", str(source), "--as", layer)
    assert done.returncode == 0, done.stderr


def spans_of(db: Path, layer: str) -> list[tuple[int, int, str]]:
    with Store(db, create=False) as store:
        doc_id = store.documents.id_of("article")
        return [(s.start, s.end, s.label) for s in store.edits.spans(doc_id, layer)]


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table in ("documents", "labels", "layers", "spans", "doc_status", "actions")
        }
    finally:
        conn.close()


def test_a_laptop_with_fewer_spans_overwrites_nothing(tmp_path: Path) -> None:
    """The server has alice's 35 spans and bob's; the laptop, set up on its own, has 5 of alice's, two of
    them not on the server. Merging keeps her 35 in `alice` and the laptop's 5 as layer `alice@laptop`,
    says so in one line, and leaves agreement alone; a dry run first and a second merge change nothing."""
    server, laptop = tmp_path / "server.db", tmp_path / "laptop.db"
    ours = [(s, e, "ACTOR") for s, e in WORDS[:35]]
    import_layer(server, "alice", ours)
    import_layer(server, "bob", ours[:30])
    theirs = [*ours[:3], (WORDS[40][0], WORDS[40][1], "PLACE"), (WORDS[41][0], WORDS[41][1], "EVENT")]
    import_layer(laptop, "alice", theirs)
    agreement_before = annotator(server, "agreement", "--json")
    assert agreement_before.returncode == 0, agreement_before.stderr

    before = server.read_bytes()
    dry = annotator(server, "merge", "--dry-run", str(laptop))
    assert dry.returncode == 0, dry.stderr
    assert server.read_bytes() == before  # nothing written
    assert "alice@laptop" in dry.stderr and "alice@laptop" in dry.stdout
    assert "dry run" in dry.stdout

    merged = annotator(server, "merge", str(laptop))
    assert merged.returncode == 0, merged.stderr
    conflict_lines = merged.stderr.splitlines()
    assert len(conflict_lines) == 1, merged.stderr
    assert "document article, layer alice" in conflict_lines[0]
    assert "35 spans" in conflict_lines[0] and "5 spans" in conflict_lines[0]
    assert "alice@laptop" in conflict_lines[0]
    said = dry.stderr.replace("would keep", "keeps").replace("would be kept", "are kept")
    assert said == merged.stderr.split("; review them with: ")[0] + "\n"  # the dry run said what merge did
    assert (
        f"review them with: annotator --db {server} --user alice@laptop annotate --doc article"
        in merged.stderr
    )
    assert spans_of(server, "alice") == sorted(ours)
    assert spans_of(server, "alice@laptop") == sorted(theirs)
    assert spans_of(server, "bob") == sorted(ours[:30])
    # the kept version is not an annotator: agreement is what it was
    agreement_after = annotator(server, "agreement", "--json")
    assert json.loads(agreement_after.stdout) == json.loads(agreement_before.stdout)

    once = dump(server)
    again = annotator(server, "merge", str(laptop))
    assert again.returncode == 0, again.stderr
    assert dump(server) == once
    assert "0 conflicts" in again.stdout


def test_a_laptop_holding_a_subset_adds_nothing_and_removes_nothing(tmp_path: Path) -> None:
    """The laptop's 5 spans are all on the server: the server keeps its 35 and no conflict is made."""
    server, laptop = tmp_path / "server.db", tmp_path / "laptop.db"
    ours = [(s, e, "ACTOR") for s, e in WORDS[:35]]
    import_layer(server, "alice", ours)
    import_layer(laptop, "alice", ours[10:15])
    merged = annotator(server, "merge", str(laptop))
    assert merged.returncode == 0, merged.stderr
    assert merged.stderr == ""
    assert spans_of(server, "alice") == sorted(ours)
    with Store(server, create=False) as store:
        assert "alice@laptop" not in store.layers.names()


def test_work_done_on_a_copy_comes_back_and_both_sides_changing_keeps_both(tmp_path: Path) -> None:
    """A laptop copy of the server (``annotator backup``) where alice relabels and removes spans while the
    server does nothing: merging takes the laptop's version, no conflict. Then both change the document
    (the server adds a span, the laptop relabels one): the server keeps its own and gets the laptop's as
    ``alice@laptop``."""
    server, laptop = tmp_path / "server.db", tmp_path / "laptop.db"
    ours = [(s, e, "ACTOR") for s, e in WORDS[:35]]
    import_layer(server, "alice", ours)
    assert annotator(server, "backup", str(laptop)).returncode == 0
    with Store(laptop) as store:
        doc_id = store.documents.id_of("article")
        s, e, _ = ours[0]
        store.edits.edit(doc_id, "alice", [Span(s, e, "ACTOR")], [Span(s, e, "PLACE")], who="alice")
        store.edits.edit(doc_id, "alice", [Span(*ours[1][:2], "ACTOR")], who="alice")
    relabelled = sorted([(ours[0][0], ours[0][1], "PLACE"), *ours[2:]])
    forward = annotator(server, "merge", str(laptop))
    assert forward.returncode == 0, forward.stderr
    assert forward.stderr == ""
    assert spans_of(server, "alice") == relabelled

    with Store(server) as store:  # now both sides work on it
        store.edits.edit(
            store.documents.id_of("article"), "alice", add=[Span(*WORDS[50], "EVENT")], who="alice"
        )
    with Store(laptop) as store:
        s, e, _ = ours[2]
        store.edits.edit(
            store.documents.id_of("article"),
            "alice",
            [Span(s, e, "ACTOR")],
            [Span(s, e, "EVENT")],
            who="alice",
        )
    both = annotator(server, "merge", str(laptop))
    assert both.returncode == 0, both.stderr
    assert len(both.stderr.splitlines()) == 1 and "alice@laptop" in both.stderr
    assert spans_of(server, "alice") == sorted([*relabelled, (*WORDS[50], "EVENT")])
    assert spans_of(server, "alice@laptop") == sorted(
        [(*ours[2][:2], "EVENT"), *relabelled[:1], *relabelled[2:]]
    )
    assert relabelled[1] == ours[2]
