"""`annotator serve` refusing to start: a database without documents is one line (the server itself runs
in e2e/test_serve.py)."""

from __future__ import annotations

from pathlib import Path


def test_serve_without_documents_is_one_line(run, db: Path) -> None:
    from annotator.store import Store

    Store(db).close()
    result = run("serve")
    assert result.exit_code == 1 and "no documents to annotate" in result.stderr
