"""What every layer of the tests shares: the paths of the seed article and the golden files, a fresh
database path per test, the command line run in-process, and a second process holding the write lock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import ImportRecord, Span
from annotator.store import Store

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_874653b030f5b32a.txt"
GOLDEN = ROOT / "tests" / "golden" / "export"
"""The export's golden files: functional/test_export.py compares against them (UPDATE_GOLDEN=1 rewrites
them), the independent readers in unit/test_export_roundtrip.py read them."""
DEV_CORPUS_NAME = Path("shared") / "corpus" / "gum_dev.jsonl"


def dev_corpus() -> Path | None:
    """The dev corpus: $ANNOTATOR_DEV_CORPUS, else shared/corpus/ beside the repository or its parent."""
    given = os.environ.get("ANNOTATOR_DEV_CORPUS")
    candidates = [Path(given)] if given else [p / DEV_CORPUS_NAME for p in (ROOT.parent, ROOT.parent.parent)]
    return next((p for p in candidates if p.is_file()), None)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def run(db: Path):
    """Run the real command line in-process against the test's database."""

    def invoke(*args: str, user: str = "alice", input: str | None = None) -> Result:
        result = CliRunner().invoke(
            cli, ["--db", str(db), "--user", user, *args], input=input, catch_exceptions=False
        )
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


def usage_error(result, message: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr


def make_project(db: Path) -> None:
    """A database with one document and one span in alice's layer."""
    with Store(db) as store:
        store.documents.import_records(
            [ImportRecord("Alice met Bob in Paris.", "k1", "t", spans=[Span(0, 5, "ACTOR")])], "alice"
        )


def load_kb(db: Path) -> KnowledgeBase:
    """The knowledge base of the database at ``db``, read through a connection of its own."""
    from annotator.kb import KnowledgeBase

    with Store(db) as store:
        return KnowledgeBase.load(store.kb)


HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE doc_status SET updated = updated")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


@pytest.fixture
def hold_write_lock(db: Path) -> Iterator[Callable[[float], subprocess.Popen[str]]]:
    """Start another process that holds the database's write lock for ``seconds``."""
    started: list[subprocess.Popen[str]] = []

    def hold(seconds: float) -> subprocess.Popen[str]:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_WRITE_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
        )
        started.append(holder)
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        return holder

    yield hold
    for holder in started:
        holder.kill()
        holder.wait()
