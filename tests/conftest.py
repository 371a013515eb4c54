from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from annotator.cli import cli

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_874653b030f5b32a.txt"


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


def load_kb(db: Path) -> KnowledgeBase:
    """The knowledge base of the database at ``db``, read through a connection of its own."""
    from annotator.kb import KnowledgeBase, index_folder
    from annotator.store import Store

    with Store(db) as store:
        return KnowledgeBase.open(
            index_folder(db),
            version=store.kb.version(),
            rows=store.kb.rows(),
            mentions=store.kb.learned_mentions(),
        )
