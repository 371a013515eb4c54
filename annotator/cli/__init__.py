"""The command line: parse, call the core, print; one module per group of commands.

- :mod:`~annotator.cli.documents`: import, init, stats
- :mod:`~annotator.cli.screens`: annotate, review, serve (and no command: the annotation screen)
- :mod:`~annotator.cli.kb`: kb import / add-geonames / search, suggest
- :mod:`~annotator.cli.models`: train (the proposal model)
- :mod:`~annotator.cli.export`: export
- :mod:`~annotator.cli.teams`: assign, agreement, disagreements, merge
- :mod:`~annotator.cli.maintenance`: backup, check

Here: the group, its global options and the error handling every command shares. ``annotator --help``
must stay fast: heavy modules (textual, rich, sqlite-utils, the formats) are imported inside the commands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from annotator.cli import documents, export, kb, maintenance, models, screens, teams
from annotator.cli.context import Context, default_user
from annotator.cli.examples import add_examples
from annotator.cli.output import echo, echo_error
from annotator.errors import AnnotatorError
from annotator.wording import counted

__all__ = ["Context", "cli", "main"]


class _Group(click.Group):
    """Turns bad data or state into one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        try:
            result = super().invoke(ctx)
            _flush_stdout()
            return result
        except AnnotatorError as err:
            _fail(str(err))
        except sqlite3.DatabaseError as err:  # locked, malformed ("database disk image is malformed"), ...
            db = ctx.find_object(Context)
            _fail(f"{db.db_path if db else 'database'}: {err}")
        except OSError as err:  # disk full, no permission, read-only file system, no such folder, ...
            where = _failed_file(err)
            _fail(f"{where}: {err.strerror or err}" if where else str(err.strerror or err))


def _failed_file(err: OSError) -> str | None:
    """The file an error is about. Files the commands write name themselves; an error writing that names
    no file comes from printing (rich and click write standard output themselves)."""
    import errno

    if err.filename is not None:
        return str(err.filename)
    writing = {errno.ENOSPC, errno.EPIPE, errno.EDQUOT, errno.EFBIG}
    return "standard output" if err.errno in writing else None


def _flush_stdout() -> None:
    """Flush standard output now, so that a failure to write it (a full disk, a closed pipe) is an
    error line and exit status 1 rather than lost at exit."""
    try:
        sys.stdout.flush()
    except OSError as err:
        raise OSError(err.errno, err.strerror, "standard output") from None


def _fail(message: str) -> NoReturn:
    try:
        sys.stdout.flush()
    except OSError:
        _discard_stdout()
    echo_error(message)
    sys.exit(1)


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that Python's flush at exit does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (a test's captured output)


COMMANDS: list[click.Command] = [
    documents.import_,
    documents.init,
    documents.stats,
    screens.annotate,
    screens.review,
    screens.serve,
    kb.kb,
    kb.suggest,
    models.train,
    export.export,
    teams.assign,
    teams.agreement_,
    teams.disagreements,
    teams.merge,
    maintenance.backup,
    maintenance.check,
]


@click.group(cls=_Group, invoke_without_command=True, commands=COMMANDS)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    default=lambda: os.environ.get("ANNOTATOR_DB", "annotations.db"),
    show_default="$ANNOTATOR_DB or annotations.db",
    help="The project database.",
)
@click.option(
    "--user",
    default=default_user,
    show_default="$ANNOTATOR_USER or the login name",
    help="Whose layer to work on.",
)
@click.version_option(package_name="annotator")
@click.pass_context
def cli(ctx: click.Context, db: Path, user: str) -> None:
    """annotator: tag ACTOR, PLACE and EVENT spans in news articles, in the terminal.

    With no command, opens the annotation screen (importing the sample articles into an empty database).
    """
    ctx.obj = Context(db, user)
    if ctx.invoked_subcommand is None:
        with ctx.obj.store(create=True) as store:
            if store.documents.count() == 0:
                from annotator.importing import SEEDS, import_seeds

                result = import_seeds(store, user)
                echo(f"imported {counted(result.documents_added, 'sample document')} from {SEEDS}", err=True)
            screens.run_tui(store, user, None)


add_examples(cli)


def main() -> None:
    cli(prog_name="annotator")
