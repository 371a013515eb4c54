"""Looking after the database file: backup and check."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.context import Context
from annotator.cli.output import echo
from annotator.errors import AnnotatorError
from annotator.wording import counted


@click.command()
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@click.pass_obj
def backup(obj: Context, target: Path) -> None:
    """Copy the database to TARGET (a new file) while it is in use: SQLite's online backup."""
    with obj.store() as store:
        store.maintenance.backup(target)
        documents = store.documents.count()
    echo(f"backed up {counted(documents, 'document')} to {target}")


@click.command()
@click.pass_obj
def check(obj: Context) -> None:
    """Check the database: integrity, foreign keys, schema, spans inside their texts, texts unchanged."""
    with obj.store() as store:
        problems = store.maintenance.check()
        documents, spans = store.documents.count(), store.progress.stats()["spans"]
    for problem in problems:
        echo(problem)
    if problems:
        raise AnnotatorError(f"{counted(len(problems), 'problem')}, listed above", obj.db_path)
    echo(f"ok: {counted(documents, 'document')}, {counted(spans, 'span')}")
