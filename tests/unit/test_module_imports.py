"""What importing annotator pulls in: no Textual for the core, nothing heavy for `--help`, no numpy for
opening a database (sqlite-utils would import it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_core_modules_import_without_textual() -> None:
    code = (
        "import sys; import annotator.cli, annotator.store, annotator.text, annotator.importing;"
        "assert 'textual' not in sys.modules, 'textual imported'; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_help_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys; from annotator.cli import cli\n"
        "try:\n    cli(['--help'], prog_name='annotator')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('textual', 'sqlite_utils', 'rapidfuzz', 'regex', 'rich') if m in sys.modules]\n"
        "print('heavy:', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("heavy: []")


def test_opening_a_database_does_not_import_numpy(db: Path) -> None:
    """sqlite-utils would import numpy (75 ms of every start-up); the store imports it with numpy hidden."""
    code = (
        "import sys; from annotator.store import Store\n"
        f"Store({str(db)!r}).close()\n"
        "print('numpy' in sys.modules, 'sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
