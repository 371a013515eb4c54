"""Every command's --help ends with an example, and every example parses with that command's options
(a renamed option or a wrong command name in an example fails here)."""

from __future__ import annotations

import contextlib
import shlex

import click
import pytest

from annotator.cli import cli
from annotator.cli.examples import EXAMPLES


def commands(group: click.Group = cli, path: str = "") -> list[str]:
    found = [path]
    for name, command in group.commands.items():
        sub = f"{path} {name}".strip()
        found.extend(commands(command, sub) if isinstance(command, click.Group) else [sub])
    return found


@pytest.mark.parametrize("path", commands())
def test_help_shows_an_example_that_parses(run, path: str) -> None:
    result = run(*path.split(), "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example" in result.stdout
    assert EXAMPLES[path], f"no example for {path!r}"
    for example in EXAMPLES[path]:
        assert f"$ {example}" in result.stdout  # shown as written, not re-wrapped
        words = shlex.split(example.split("<")[0])
        assert words[0] == "annotator"
        assert resolved(words[1:]).startswith(path)


GLOBAL_OPTIONS = ("--db", "--user")


def resolved(args: list[str]) -> str:
    """The command an example's arguments name (its path), after checking they parse with its options
    (an unknown option raises)."""
    while args and args[0] in GLOBAL_OPTIONS:
        args = args[2:]
    command: click.Command = cli
    names: list[str] = []
    while isinstance(command, click.Group) and args and args[0] in command.commands:
        names.append(args[0])
        command, args = command.commands[args[0]], args[1:]
    # a value checked against this machine (a file the example names is not here) is no matter
    with contextlib.suppress(click.BadParameter):
        command.make_context(names[-1] if names else "annotator", list(args))
    return " ".join(names)


def test_an_example_with_an_unknown_option_would_fail() -> None:
    with pytest.raises(click.NoSuchOption):
        resolved(["export", "--no-such-option"])
