"""The annotation screen in a web browser: textual-serve runs ``annotator annotate`` in a process of its
own for each visitor."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from textual_serve.server import Server


def serve_in_browser(db: Path, user: str, host: str, port: int) -> None:
    """Serve the annotation screen for ``user`` on ``db`` at ``http://host:port/`` until Ctrl+C."""
    command = [sys.executable, "-m", "annotator", "--db", str(db.resolve()), "--user", user, "annotate"]
    Server(shlex.join(command), host=host, port=port, title="annotator").serve()
