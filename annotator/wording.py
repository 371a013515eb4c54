"""The one rule for a counted word in a message: ``1 document``, ``3 documents``, ``0 statuses``."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``word`` in the form ``count`` of it takes: as given for exactly one, else ``many`` (by default
    ``word`` and an ``s``: ``plural(2, "layer")`` is ``layers``, ``plural(2, "status", "statuses")``
    ``statuses``). For a word not said with its number, as before a list of names."""
    if count == 1:
        return word
    return word + "s" if many is None else many


def counted(count: int, word: str, many: str | None = None) -> str:
    """``count`` and :func:`plural`'s form of ``word``: ``counted(1, "document")`` is ``1 document``,
    ``counted(0, "document")`` ``0 documents``."""
    return f"{count} {plural(count, word, many)}"
