"""Option types and checks that more than one command uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click


def layer_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --as/--layer value: absent, or a name (an empty one would silently mean the default layer)."""
    if value is not None and not value.strip():
        raise click.BadParameter("give a layer name, not an empty string")
    return value


class FormatChoice(click.Choice[str]):
    """A --format choice whose names come from the format registry when first needed (to parse or to show
    help), so that starting the command line loads no format module."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        self._names = names
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        """Set by ``click.Choice`` when it is made: ignored, the registry is the one source."""
