"""What every command is handed: the database and the user named by the global options."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.store import Store


def default_user() -> str:
    try:
        return os.environ.get("ANNOTATOR_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


class Context:
    def __init__(self, db: Path, user: str) -> None:
        self.db_path = db
        self.user = user

    def store(self, create: bool = False) -> Store:
        """The database; only commands that add to it (import, kb import, merge) create a missing one.
        ``[labels]`` in annotator.toml is applied to it: the project's label set."""
        from annotator.config import config_path, load_config
        from annotator.store import Store

        labels = load_config(config_path()).labels
        store = Store(self.db_path, create)
        if labels is not None and labels != store.labels.all():
            try:
                store.labels.define(labels)
            except BaseException:
                store.close()
                raise
        return store

    def learn_from_other_annotators(self) -> bool:
        """``[learning] from_other_annotators`` of annotator.toml (off when there is no such file)."""
        from annotator.config import config_path, load_config

        return load_config(config_path()).learn_from_other_annotators

    def learning_layers(self, store: Store) -> list[str]:
        """The layers whose spans teach --user's suggestions (their own and gold, unless the project
        says other annotators' too): ``annotator.kb.learning_layers``."""
        from annotator.kb.learned import learning_layers

        return learning_layers(self.user, store.layers.kinds(), self.learn_from_other_annotators())

    @contextmanager
    def new_or_existing_store(self) -> Iterator[Store]:
        """The database, created when missing; one created here is removed again when the command fails
        on bad input, so that a failed first import or merge leaves no empty database behind."""
        existed = self.db_path.exists()
        try:
            with self.store(create=True) as store:
                yield store
        except AnnotatorError:
            if not existed:
                remove_database(self.db_path)
            raise


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
