"""``annotator.toml``: the settings a user may change without touching code: the label set, the keys,
and what an annotator's suggestions learn from (``[learning]``).

Found as ``$ANNOTATOR_CONFIG``, else ``annotator.toml`` in the current folder; absent is fine.
``annotator init`` writes one with every setting commented out at its default.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.keymap import KeyAction, is_tag
from annotator.model import DEFAULT_LABELS, Label, label_problem

CONFIG_NAME = "annotator.toml"


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id → keys (comma-separated), as Textual's ``App.set_keymap`` takes them."""
    labels: list[Label] | None = None
    """The label set in order (``[labels]``), None to keep the database's."""
    guidelines: Path | None = None
    """The annotation guidelines (Markdown) the TUI shows on a key: ``guidelines = "FILE.md"``, a path
    from the settings file's folder."""
    learn_from_other_annotators: bool = False
    """``[learning] from_other_annotators``: whether an annotator's suggestions, proposals and model
    learn from other annotators' layers too (then double annotation is not blind); by default only from
    their own layer and gold (``annotator.kb.learning_layers``)."""
    threshold: float = 0.5
    """``[suggest] threshold``: the model's proposals below this confidence (0-1) are not shown."""
    model: bool = True
    """``[suggest] model``: propose with the model (false: only the KB's and text tagged before)."""


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
        if section not in ("keys", "labels", "learning", "suggest", "guidelines"):
            line = _line_of(source, section)
            sections = "guidelines, [labels], [keys], [learning], [suggest]"
            reason = f"unknown section [{section}] (known: {sections})"
            raise AnnotatorError(reason, path, line)
    threshold, model = _suggest(data.get("suggest", {}), source, path)
    guidelines = _guidelines(data.get("guidelines"), source, path)
    labels = _labels(data.get("labels"), source, path) if "labels" in data else None
    from_others = _learning(data.get("learning", {}), source, path)
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
            raise AnnotatorError(f'{action_id}: keys must be a string like "a,1"', path, line)
    keymap = {action_id: value.replace(" ", "") for action_id, value in keys.items()}
    return Config(
        path,
        keymap,
        labels,
        guidelines=guidelines,
        learn_from_other_annotators=from_others,
        threshold=threshold,
        model=model,
    )


LEARNING_SETTINGS = ("from_other_annotators",)


def _as_written(value: object) -> str:
    """A value read from ``annotator.toml`` as TOML spells it (``true``, ``"high"``), for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _learning(table: object, source: str, path: Path) -> bool:
    """``[learning]``: ``from_other_annotators = true|false``."""
    if not isinstance(table, dict):
        raise AnnotatorError("'learning' must be a table: [learning]", path, _line_of(source, "learning"))
    for name, value in table.items():
        line = _line_of(source, name)
        if name not in LEARNING_SETTINGS:
            known = ", ".join(LEARNING_SETTINGS)
            raise AnnotatorError(f"unknown setting {name!r} in [learning] (known: {known})", path, line)
        if not isinstance(value, bool):
            raise AnnotatorError(f"{name}: write true or false", path, line)
    return bool(table.get("from_other_annotators", False))


def _guidelines(value: object, source: str, path: Path) -> Path | None:
    """``guidelines = "FILE.md"``: a Markdown file that exists, from the settings file's folder."""
    if value is None:
        return None
    line = _line_of(source, "guidelines")
    if not isinstance(value, str) or not value.strip():
        raise AnnotatorError('guidelines: write guidelines = "FILE.md" (before any [section])', path, line)
    found = (path.parent / value).resolve()
    if not found.is_file():
        raise AnnotatorError(f"guidelines: no such file {str(found)!r}", path, line)
    return found


def _suggest(table: object, source: str, path: Path) -> tuple[float, bool]:
    """``[suggest] threshold = 0.5`` (a number from 0 to 1) and ``model = true``."""
    default = Config.threshold
    if not isinstance(table, dict):
        raise AnnotatorError("'suggest' must be a table: [suggest]", path, _line_of(source, "suggest"))
    unknown = set(table) - {"threshold", "model"}
    if unknown:
        name = sorted(unknown)[0]
        reason = f"unknown setting {name!r} in [suggest] (known: threshold, model)"
        raise AnnotatorError(reason, path, _line_of(source, name))
    value = table.get("threshold", default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        reason = f"threshold must be a number from 0 to 1, not {_as_written(value)}"
        raise AnnotatorError(reason, path, _line_of(source, "threshold"))
    model = table.get("model", Config.model)
    if not isinstance(model, bool):
        raise AnnotatorError(
            f"model must be true or false, not {_as_written(model)}", path, _line_of(source, "model")
        )
    return float(value), model


MAX_LABELS = 9


def _labels(table: object, source: str, path: Path) -> list[Label]:
    """``NAME = { key = "x", colour = "#rrggbb" }`` per label, in order."""
    where = _line_of(source, "labels")
    if not isinstance(table, dict) or not table:
        raise AnnotatorError("[labels] must list at least one label", path, where)
    if len(table) > MAX_LABELS:
        raise AnnotatorError(f"[labels]: at most {MAX_LABELS} labels (keys 1-9)", path, where)
    labels: list[Label] = []
    keys: dict[str, str] = {}
    for name, spec in table.items():
        line = _line_of(source, name)
        if (problem := label_problem(name, "x", "#888888")) is not None:
            raise AnnotatorError(problem, path, line)
        if not isinstance(spec, dict) or set(spec) - {"key", "colour"} or "key" not in spec:
            raise AnnotatorError(f'{name}: write {{ key = "x", colour = "#rrggbb" }}', path, line)
        key, colour = spec["key"], spec.get("colour", "#888888")
        problem = label_problem(name, key, "#888888")
        if problem is None and key in keys:
            problem = f"{name}: key {key!r} is {keys[key]}'s already"
        problem = problem or label_problem(name, key, colour)
        if problem is not None:
            raise AnnotatorError(problem, path, line)
        keys[key] = name
        labels.append(Label(name, key, colour))
    return labels


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
        "# The annotation guidelines, a Markdown file (from this file's folder) the screens show on H.",
        '# guidelines = "GUIDELINES.md"',
        "",
        "# The label set, in order: the keys 1-9 tag with them too. Changing it changes the project's",
        "# database when annotator next opens it (a label that spans still use is kept).",
        "# [labels]",
        *(f'# {name} = {{ key = "{key}", colour = "{colour}" }}' for name, key, colour in DEFAULT_LABELS),
        "",
        "# What an annotator's suggestions, proposals and model learn from: their own layer and gold.",
        "# true: other annotators' layers too. Double annotation is then not blind (one annotator's spans",
        "# are proposed to the next), and 'annotator agreement' says so.",
        "# [learning]",
        "# from_other_annotators = false",
        "",
        "# Proposals of the model below this confidence (0-1) are not shown; model = false proposes",
        "# only what the KB and text tagged before find.",
        "# [suggest]",
        f"# threshold = {Config.threshold}",
        "# model = true",
        "",
        "[keys]",
        "# Each action has an id; give it one key or several separated by commas.",
        '# Key names are Textual\'s: "a", "ctrl+z", "shift+right", "pagedown", "question_mark".',
    ]
    for action in actions:
        entry = f'# "{action.id}" = "{action.keys}"'
        lines.append(f"{entry:<56} # {action.description}")
    return "\n".join(lines) + "\n"


def write_default_config(out: Path, actions: Iterable[KeyAction], force: bool = False) -> None:
    """Write :func:`default_config` to ``out``; an existing file only with ``force``, and never into a
    folder that does not exist (a typo more often than a wish for a new folder)."""
    if out.exists() and not force:
        raise AnnotatorError("already exists; use --force to replace it", out)
    if not out.parent.is_dir():
        what = "is a file, not a folder" if out.parent.exists() else "does not exist"
        raise AnnotatorError(f"{str(out.parent)!r} {what}; init does not create folders", out)
    try:
        out.write_text(default_config(actions), encoding="utf-8")
    except OSError as err:
        raise AnnotatorError(err.strerror or str(err), out) from None


def check_label_keys(config: Config, actions: Iterable[KeyAction]) -> None:
    """A label's key must not be another action's (``x`` removes, ``u`` undoes...)."""
    if config.labels is None:
        return
    taken: dict[str, KeyAction] = {}
    for action in actions:
        if is_tag(action):
            continue
        for key in config.keys.get(action.id, action.keys).split(","):
            taken.setdefault(key, action)
    for label in config.labels:
        if label.key in taken:
            action = taken[label.key]
            reason = f"{label.name}: key {label.key!r} already does {action.description!r} ({action.id})"
            line = _line_of(config.path.read_text(encoding="utf-8"), label.name) if config.path else None
            raise AnnotatorError(reason, config.path, line)
