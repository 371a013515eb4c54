"""``annotator.toml``: the settings a user may change without touching code (for now, the keys).

Found as ``$ANNOTATOR_CONFIG``, else ``annotator.toml`` in the current folder; absent is fine.
``annotator init`` writes one with every setting commented out at its default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError

CONFIG_NAME = "annotator.toml"


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id → keys (comma-separated), as Textual's ``App.set_keymap`` takes them."""


@dataclass(frozen=True)
class KeyAction:
    """One remappable action: its binding id, default keys and what it does."""

    id: str
    keys: str
    description: str


def config_path() -> Path | None:
    named = os.environ.get("ANNOTATOR_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise AnnotatorError("no such settings file (named by $ANNOTATOR_CONFIG)", path)
        return path
    local = Path(CONFIG_NAME)
    return local if local.is_file() else None


def load_config(path: Path | None, actions: Iterable[KeyAction] | None = None) -> Config:
    """Read and check the settings; ``actions`` (when given) are the ids a ``[keys]`` entry may name."""
    if path is None:
        return Config()
    source = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\(at line (\d+), column \d+\)", str(err))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        line = int(found.group(1)) if found else None
        raise AnnotatorError(f"not valid TOML: {reason}", path, line) from None
    for section in data:
        if section != "keys":
            line = _line_of(source, section)
            raise AnnotatorError(f"unknown section [{section}] (known: [keys])", path, line)
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise AnnotatorError("'keys' must be a table: [keys]", path, _line_of(source, "keys"))
    known = {action.id for action in actions} if actions is not None else None
    for action_id, value in keys.items():
        line = _line_of(source, action_id)
        if known is not None and action_id not in known:
            reason = f"unknown action {action_id!r} in [keys]; 'annotator init' lists them"
            raise AnnotatorError(reason, path, line)
        if not isinstance(value, str) or not value.strip() or any(not k.strip() for k in value.split(",")):
            raise AnnotatorError(f"{action_id}: keys must be a string like \"a,1\"", path, line)
    return Config(path, {action_id: value.replace(" ", "") for action_id, value in keys.items()})


def _line_of(source: str, name: str) -> int | None:
    pattern = re.compile(rf'^[ \t]*(\[[ \t]*)?"?{re.escape(name)}"?[ \t]*(=|\])', re.MULTILINE)
    found = pattern.search(source)
    return source.count("\n", 0, found.start()) + 1 if found else None


def default_config(actions: Iterable[KeyAction]) -> str:
    """The text ``annotator init`` writes: every setting, commented out at its default."""
    lines = [
        "# annotator settings. Remove the '#' in front of a line to change it.",
        "# Read from $ANNOTATOR_CONFIG, else annotator.toml in the folder annotator runs in.",
        "",
        "[keys]",
        "# Each action has an id; give it one key or several separated by commas.",
        '# Key names are Textual\'s: "a", "ctrl+z", "shift+right", "pagedown", "question_mark".',
    ]
    for action in actions:
        entry = f'# "{action.id}" = "{action.keys}"'
        lines.append(f"{entry:<56} # {action.description}")
    return "\n".join(lines) + "\n"
