"""The annotation screen ended right after a tag, the ways a terminal session ends: SIGTERM, SIGHUP (an
SSH session dropping), tmux closing the pane or the whole session (the terminal going away), SIGKILL.
The tag the screen showed is in the database, the database passes ``annotator check`` and SQLite's
``integrity_check``, and the next start shows the span."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_tmux import Tmux, pytestmark, seeded_db  # noqa: F401  (the skip without tmux)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(f"annotator-kills-{os.getpid()}-{tmp_path.name}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


def _gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # a zombie of the tmux server's counts as gone: it has run its last line
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z":
            return
        assert time.monotonic() < deadline, f"process {pid} still runs"
        time.sleep(0.05)


def _sound(db: Path) -> None:
    check = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


ENDINGS = {
    "SIGTERM": lambda tmux, pid: os.kill(pid, signal.SIGTERM),
    "SIGHUP": lambda tmux, pid: os.kill(pid, signal.SIGHUP),
    "SIGKILL": lambda tmux, pid: os.kill(pid, signal.SIGKILL),
    "kill-pane": lambda tmux, pid: tmux("kill-pane", "-t", "app"),
    "kill-session": lambda tmux, pid: tmux("kill-session", "-t", "app"),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_tag_survives_the_terminal_going_away(terminal: Tmux, db: Path, ending: str) -> None:
    text = seeded_db(db)
    start = text.index("Gubadli")
    tmux = terminal
    tmux("new-session", "-d", "-s", "keep", "-x", "40", "-y", "5", "sleep 120")  # the server outlives "app"
    command = [sys.executable, "-m", "annotator", "--db", str(db), "--user", "alice", "annotate"]
    tmux.start(command, width=100, height=30)
    tmux.wait_for(lambda s: "document 1 of 1" in s and "Armenia says" in s)
    tmux.search("Gubadli")
    tmux.keys("p")
    tmux.wait_for(lambda s: "PLACE  1" in s)  # the screen shows the tag saved
    pid = tmux.pane_pid()
    ENDINGS[ending](tmux, pid)
    _gone(pid)
    conn = sqlite3.connect(db)
    spans = conn.execute('SELECT start, "end", label, layer FROM spans').fetchall()
    conn.close()
    assert spans == [(start, start + len("Gubadli"), "PLACE", "alice")]
    _sound(db)
    if ending in ("SIGHUP", "kill-session"):  # opened again: the span is there, on the screen
        while (
            subprocess.run(
                ["tmux", "-L", tmux.socket, "has-session", "-t", "app"], capture_output=True
            ).returncode
            == 0
        ):
            time.sleep(0.05)  # the pane closes once its process is gone
        tmux.start(command, width=100, height=30)
        tmux.wait_for(lambda s: "Gubadli PLACE" in s and "PLACE  1" in s)
