"""One annotator in two terminals at once (tmux): each screen sees the other's changes, neither crashes on
a span the other removed, and the exit status stays that of a clean quit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.importing import find_files, read_files
from annotator.store import Store
from tests.conftest import SEED
from tests.e2e.test_tmux import Tmux, pytestmark  # noqa: F401  (skipped without tmux)

START = "exec sh -c '{command}; echo EXIT=$?; sleep 60'"


@pytest.fixture
def terminals(tmp_path: Path) -> Iterator[Tmux]:
    """A tmux server of the test's own, for as many sessions (terminals) as it opens."""
    server = Tmux(f"annotator-windows-{os.getpid()}-{tmp_path.name}")
    yield server
    subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True)


class Window:
    """One tmux session of the shared server: one terminal."""

    def __init__(self, tmux: Tmux, name: str) -> None:
        self.tmux = tmux
        self.name = name

    def start(self, db: Path, command: str | None = None) -> None:
        command = command or f"{sys.executable} -m annotator --db {db} --user alice annotate"
        line = START.format(command=command)
        self.tmux("new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", line)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        import time

        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {text!r} never showed:\n{screen}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)


def spans(db: Path) -> list[tuple[int, int, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute('SELECT start, "end", label FROM spans ORDER BY start').fetchall()
    finally:
        conn.close()


def test_one_annotator_in_two_terminals(terminals: Tmux, db: Path) -> None:
    with Store(db) as store:
        store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    a, b = Window(terminals, "a"), Window(terminals, "b")
    a.start(db)
    b.start(db)
    for window in (a, b):
        window.wait_for("selection Armenia")  # each opens on the first word
    a.keys("p")  # tag in A
    a.wait_for("PLACE  1")
    b.wait_for("PLACE  1")  # B shows it without a key pressed
    b.keys("p")  # tag in B: the same span, not a second one
    b.wait_for("Armenia PLACE")
    assert spans(db) == [(0, 7, "PLACE")]
    a.keys("x")  # remove in A
    a.wait_for("PLACE  0")
    b.keys("x")  # remove in B: it is gone already; B goes on
    b.wait_for("PLACE  0")
    assert spans(db) == []
    a.keys("a")
    b.wait_for("ACTOR  1")
    b.keys("u")  # B undoes A's step: one layer, one log
    a.wait_for("ACTOR  0")
    assert spans(db) == []
    b.keys("q")
    assert "EXIT=0" in b.wait_for("EXIT=")
    a.keys("q")
    assert "EXIT=0" in a.wait_for("EXIT=")
    assert "Traceback" not in a.screen() + b.screen()


def test_a_crash_in_the_app_is_a_failing_exit_status(terminals: Tmux, tmp_path: Path, db: Path) -> None:
    """A screen that stops on an error (Textual prints the traceback) does not exit 0."""
    with Store(db) as store:
        store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys\n"
        "from annotator.cli import main\n"
        "from annotator.tui.screens.annotate import AnnotateScreen\n"
        "def broken(self): raise RuntimeError('broken on purpose')\n"
        "AnnotateScreen.start = broken\n"
        f"sys.argv = ['annotator', '--db', {str(db)!r}, '--user', 'alice', 'annotate']\n"
        "main()\n",
        encoding="utf-8",
    )
    window = Window(terminals, "crash")
    window.start(db, f"{sys.executable} {script}")
    assert "EXIT=1" in window.wait_for("EXIT=")
