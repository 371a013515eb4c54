"""What the guidelines file (``guidelines = "FILE.md"`` in annotator.toml) says each label is, in one line:
the help screen shows it beside the label's keys.

The guidelines are the one place a label's meaning is written, so the one line comes from there, found
in either of the two ways guidelines are usually written:

- a heading that is the label's name (``## ACTOR``, any level, any case, in backticks or bold or
  not): the first line of text under it;
- a line that starts with the label's name and a colon or a dash (``- **PLACE**: a named geographic
  entity``, ``EVENT — a named occurrence``): the rest of the line.

The first one found for a label counts. Markdown's emphasis and code marks are left out of the line;
the text is otherwise as written (the screen makes it literal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MARKS = re.compile(r"[*_`]+")
_SEPARATOR = re.compile(r"^\s*(?::|[-–—]\s)\s*")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _plain(text: str) -> str:
    """``text`` without Markdown's emphasis and code marks, its spaces made one."""
    return " ".join(_MARKS.sub("", text).split())


def label_descriptions(markdown: str, labels: Iterable[str]) -> dict[str, str]:
    """Each of ``labels`` that the guidelines describe, with its one line (see the module)."""
    by_name = {label.casefold(): label for label in labels}
    found: dict[str, str] = {}
    under: str | None = None
    """The label whose heading was the last one, while its first line is still to come."""
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading is not None:
            under = by_name.get(_plain(heading.group(1)).casefold())
            if under in found:
                under = None
            continue
        text = _plain(_ITEM.sub("", line))
        if not text:
            continue
        if under is not None:
            found[under] = text
            under = None
            continue
        start = _ITEM.sub("", line).lstrip()
        for key, label in by_name.items():
            if label in found:
                continue
            name = re.match(rf"[*_`]*{re.escape(key)}[*_`]*", start, re.IGNORECASE)
            if name is None:
                continue
            rest = _SEPARATOR.match(start[name.end() :])
            if rest is not None and (described := _plain(start[name.end() + rest.end() :])):
                found[label] = described
    return found
