"""Textual bindings made from the keymap (``annotator.keymap``), the one list of actions and keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from textual.binding import Binding, BindingType

from annotator.keymap import MAX_LABELS, KeyAction, tag_action, tag_id
from annotator.literal import literal
from annotator.model import Label


def key_bindings(actions: Iterable[KeyAction]) -> list[BindingType]:
    """One binding per action, with its id (so ``[keys]`` remaps it) and its default keys."""
    return [
        Binding(action.keys, action.action, action.description, show=action.show, id=action.id)
        for action in actions
    ]


def tag_bindings(
    labels: Sequence[Label], keys: Callable[[int, Label], list[str]]
) -> dict[str, list[Binding]]:
    """By key, one binding per key of each of the first labels (``keys`` gives a label's keys from its
    position); only the label's own key shows in the footer."""
    tags: dict[str, list[Binding]] = {}
    for position, label in enumerate(labels[:MAX_LABELS]):
        for key in keys(position, label):
            binding = Binding(
                key,
                tag_action(position),
                literal(label.name.title()),
                show=key == label.key,
                id=tag_id(position),
            )
            tags[key] = [binding]
    return tags
