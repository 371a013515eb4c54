"""The annotation screen while another process holds the database's write lock: keys are answered at
once, a change is said to be pending and lands when the lock is released, in the order it was made; a
change that finally fails is said, and the screen then shows what the database has; quitting waits for
what is pending."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from annotator.importing import find_files, read_files
from annotator.store import Store
from annotator.tui.app import AnnotatorApp, make_app
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.status_line import StatusLine
from tests.conftest import SEED

ARMENIA = (0, len("Armenia"))

LOCK_UNTIL_TOLD = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
print("released", flush=True)
sys.stdin.readline()
"""


class Holder:
    """Another process in a write transaction (``BEGIN IMMEDIATE``) until :meth:`release`."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCK_UNTIL_TOLD, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._said() == "locked"

    def _said(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self._said() == "released"


@pytest.fixture
def lock(db: Path) -> Iterator[Callable[[], Holder]]:
    holders: list[Holder] = []

    def take() -> Holder:
        holders.append(Holder(db))
        return holders[-1]

    yield take
    for holder in holders:
        holder.process.kill()
        holder.process.wait()


@pytest.fixture
def seeded(db: Path) -> Iterator[Store]:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    yield store
    store.close()


def on_disk(db: Path) -> list[tuple[int, int, str]]:
    with Store(db) as fresh:  # another connection: what is committed
        return [(s.start, s.end, s.label) for s in fresh.edits.spans(fresh.documents.ids()[0], "alice")]


def shown(app: AnnotatorApp) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in app.screen.query_one(ArticleView).spans]


def status(app: AnnotatorApp) -> str:
    return app.screen.query_one(StatusLine).text.plain


async def until(pilot: Pilot[None], done: Callable[[], bool], seconds: float = 20.0) -> None:
    """Let the app run until ``done()`` (a bound, not a timing: the test fails if it never happens)."""
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("it never happened")


async def test_a_key_while_another_process_writes_is_answered_pending_then_saved(
    seeded: Store, db: Path, lock: Callable[[], Holder]
) -> None:
    app = make_app(seeded, "alice", use_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        holder = lock()
        await pilot.press("p")  # Armenia, the first word
        assert status(app).startswith("saving tag PLACE “Armenia”…")
        assert shown(app) == [] == on_disk(db)  # the screen shows only what is saved
        await pilot.press("right")  # the keys go on meanwhile
        assert app.screen.query_one(ArticleView).cursor == 1
        await until(pilot, lambda: "another program is writing" in status(app))
        assert shown(app) == [] == on_disk(db)
        holder.release()
        await until(pilot, lambda: shown(app) != [])
        assert shown(app) == [(*ARMENIA, "PLACE")] == on_disk(db)
        assert "saving" not in status(app)
        assert app.writer.pending() == 0


async def test_writes_keep_their_order_and_undo_redo_go_through_the_writer(
    seeded: Store, db: Path, lock: Callable[[], Holder]
) -> None:
    app = make_app(seeded, "alice", use_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        holder = lock()
        await pilot.press("p", "a", "u", "u", "ctrl+r")  # PLACE, relabel ACTOR, undo both, redo one
        assert status(app).startswith("saving 5 changes…")
        assert on_disk(db) == []
        holder.release()
        await until(pilot, lambda: app.writer.pending() == 0 and "saving" not in status(app))
        assert shown(app) == [(*ARMENIA, "PLACE")] == on_disk(db)
        assert "Redid: PLACE Armenia back" in status(app)


async def test_a_change_that_finally_fails_is_said_and_the_screen_shows_the_database(
    seeded: Store, db: Path, lock: Callable[[], Holder]
) -> None:
    app = make_app(seeded, "alice", use_model=False, write_patience_s=0.5)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("p")  # saved: the database is free
        assert shown(app) == [(*ARMENIA, "PLACE")] == on_disk(db)
        holder = lock()
        await pilot.press("a", "u")  # relabel, then undo: the undo must not undo the PLACE instead
        await until(pilot, lambda: "Not saved" in status(app))
        said = status(app)
        assert said.startswith("Not saved: tag ACTOR “Armenia” and 1 later change (database is locked")
        assert said.endswith("The screen shows what is saved.")
        await until(pilot, lambda: any("Not saved" in str(n.message) for n in app._notifications))
        assert shown(app) == [(*ARMENIA, "PLACE")] == on_disk(db)
        holder.release()
        await pilot.press("e")  # the lock is gone: this one is saved, and shown
        assert shown(app) == [(*ARMENIA, "EVENT")] == on_disk(db)
        assert app.is_running


async def test_quitting_waits_for_the_changes_pending(
    seeded: Store, db: Path, lock: Callable[[], Holder]
) -> None:
    app = make_app(seeded, "alice", use_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        holder = lock()
        await pilot.press("p", "q")
        await pilot.pause(0.3)
        assert app.is_running  # still waiting for the PLACE
        assert on_disk(db) == []
        holder.release()
        await until(pilot, lambda: not app.is_running)
    assert on_disk(db) == [(*ARMENIA, "PLACE")]


async def test_a_removal_pressed_twice_while_pending_removes_once_and_fails_nothing(
    seeded: Store, db: Path, lock: Callable[[], Holder]
) -> None:
    app = make_app(seeded, "alice", use_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        assert shown(app) == [(*ARMENIA, "PLACE")] == on_disk(db)
        holder = lock()
        await pilot.press("x", "x")  # the span is still shown while the first removal is pending
        assert status(app).startswith("saving 2 changes…")
        holder.release()
        await until(pilot, lambda: app.writer.pending() == 0 and "saving" not in status(app))
        assert shown(app) == [] == on_disk(db)
        assert status(app).startswith("Removed already")
        assert app.writer.failed_count == 0
