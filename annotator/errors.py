"""The one exception the command line turns into a clear line on stderr and exit status 1."""

from __future__ import annotations

from pathlib import Path


class AnnotatorError(Exception):
    """Bad data or state: says which file (and line) and what is wrong."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = "" if path is None else f"{path}:" if line is None else f"{path}:{line}:"
        super().__init__(f"{where} {message}" if where else message)
