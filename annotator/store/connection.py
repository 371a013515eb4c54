"""The open database file every table module reads and writes through, and its transactions.

One file holds a whole project, shared by several annotators on one server: WAL mode, a busy timeout and
one transaction per write, so a change is on disk the moment a call returns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

BUSY_TIMEOUT_S = 5.0
BATCH = 1000
"""Rows read or written per statement where a whole corpus goes through."""


def _import_sqlite_utils() -> Any:
    """sqlite-utils imports numpy when it is installed, only to map numpy scalar types (we never store
    any): 75 ms of every start-up, the annotation screen's first frame included. Import it with numpy
    hidden; the KB imports numpy itself, later, in its loading thread."""
    import importlib
    import sys

    hide = "numpy" not in sys.modules
    if hide:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
    try:
        return importlib.import_module("sqlite_utils")
    finally:
        if hide:
            del sys.modules["numpy"]


if TYPE_CHECKING:
    import sqlite_utils as sqlite_utils
else:
    sqlite_utils = _import_sqlite_utils()


def connect(path: Path, create: bool) -> sqlite3.Connection:
    """A connection to ``path``; without ``create`` the file must exist (it is opened read-write)."""
    return sqlite3.connect(
        str(path) if create else path.resolve().as_uri() + "?mode=rw",
        uri=not create,
        timeout=BUSY_TIMEOUT_S,
        check_same_thread=False,
    )


def connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)


class Connection:
    """An open annotator database: the SQLite connection, sqlite-utils' view of it, and its path."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn, execute_plugins=False)

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection (another terminal, another
        process) commits to the file, never for this connection's own writes."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: committed at the end, rolled back on an error; nested, a savepoint.

        It starts with BEGIN IMMEDIATE, taking the write lock first: a deferred transaction that has read
        and then writes while another process is writing gets SQLITE_BUSY at once (its read snapshot
        cannot be upgraded), whereas waiting for the lock honours the busy timeout.
        """
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()


@contextmanager
def staging(conn: sqlite3.Connection, tables: Sequence[str]) -> Iterator[Callable[[], None]]:
    """Temporary tables (``CREATE TEMP TABLE ...`` statements in ``tables``, their indexes too) for the
    time of the block, dropped after it. They belong to this connection alone, and writing them takes no
    lock on the database: a long import stages its rows there while others write, then copies them in
    with one short transaction. A killed process leaves nothing: SQLite deletes the temporary file.

    Yields ``commit()``, to call after staging: it ends the transaction Python's sqlite3 opened for the
    staged rows (which holds a read snapshot), so that the copy can begin with ``BEGIN IMMEDIATE``; in a
    transaction the caller opened, it does nothing and everything happens in that transaction.
    """
    outer = conn.in_transaction
    names = [sql.split()[3] for sql in tables if sql.startswith("CREATE TEMP TABLE")]
    for sql in tables:
        conn.execute(sql)

    def commit() -> None:
        if not outer and conn.in_transaction:
            conn.commit()

    try:
        yield commit
    finally:
        if not outer and conn.in_transaction:
            conn.rollback()  # what was staged when an error stopped it
        for name in names:
            conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


class Tables:
    """The base of the store's table modules: the connection they share, and its transactions.

    Every public method that writes runs in :meth:`Connection.transaction`, so it commits before it
    returns (or joins the caller's transaction as a savepoint).
    """

    def __init__(self, connection: Connection) -> None:
        self.conn = connection.conn
        self.path = connection.path
        self.transaction = connection.transaction
