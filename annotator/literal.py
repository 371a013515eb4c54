"""The one rule for a string on its way to a screen or standard output: it shows as itself and acts as
nothing. Keys, layer and label names, file names and error lines may hold anything (an import, a merge
or a file name brings them in): an escape sequence would retitle the terminal, write its clipboard or
colour it; a bidi override would turn the rest of the line around.

:func:`literal` spells out every character a terminal could act on: C0 and C1 control characters (ESC,
U+009B CSI among them), DEL, bidi embeddings, overrides, isolates and marks, line and paragraph
separators, and lone surrogates (which no output encoding can write), as ``\\x1b``, ``\\u202e``... The
text around them is unchanged. Markup is a separate matter: Rich is never asked to read markup in data
(see ``annotator.cli.output``); Textual widgets are given ``Text``, never markup strings.

:func:`visible` is the rule for article text on the screen, where every character must keep its one
cell (offsets stay 1:1): each of those characters becomes a one-cell picture (U+2400... for C0, U+FFFD
for the rest); what joins emoji into one picture becomes a joiner of nothing (their widths are counted
one way by Rich and another by terminals).

:func:`literal_json` is the same for JSON output: those characters written as JSON escapes, so the data
read back is unchanged.
"""

from __future__ import annotations

import re

_ACTS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _spelled(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(text: str) -> str:
    """``text`` with every character a terminal could act on spelled out (``\\x1b``, ``\\u202e``)."""
    return _ACTS.sub(_spelled, text) if _ACTS.search(text) else text


def literal_line(text: str) -> str:
    """:func:`literal` for a line of several lines' worth: line breaks and tabs kept, as a multi-line
    message shows them; everything else spelled out."""
    return "\n".join("\t".join(literal(part) for part in line.split("\t")) for line in text.split("\n"))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_ACTS_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def literal_json(encoded: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``, which escapes C0 itself) with the other
    characters a terminal acts on as JSON escapes: the same data, read back."""
    return _ACTS_IN_JSON.sub(_json_escape, encoded) if _ACTS_IN_JSON.search(encoded) else encoded


# One-cell pictures: C0 as the control pictures U+2400..., DEL as U+2421, tab as U+2409, line breaks kept;
# C1, bidi controls, separators and lone surrogates as U+FFFD.
_VISIBLE = {cp: 0x2400 + cp for cp in range(0x20) if cp != 0x0A}
_VISIBLE.update({0x7F: 0x2421, 0x09: 0x2409})
_VISIBLE.update({cp: 0xFFFD for cp in range(0x80, 0xA0)})
_VISIBLE.update({cp: 0xFFFD for cp in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029)})
_VISIBLE.update({cp: 0xFFFD for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
# Characters that join emoji into one picture (ZWJ sequences, skin tones, emoji presentation): Rich counts
# the joined picture's two cells, a terminal that draws each code point (tmux 3.3) four or six, or one
# for a heart with U+FE0F, so the line ends elsewhere than laid out and the panel's border moves. They
# become the combining grapheme joiner, which joins nothing and takes no cell for either: the pictures
# side by side, as such a terminal draws them, at the width everyone counts.
_JOINS_PICTURES = 0x034F
_VISIBLE.update({cp: _JOINS_PICTURES for cp in (0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400))})
_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with every character a terminal could act on replaced by a one-cell picture of it (line
    breaks kept), so that offsets into ``text`` stay offsets into what is shown."""
    shown = text.translate(_VISIBLE)
    return _SURROGATE.sub("\ufffd", shown) if _SURROGATE.search(shown) else shown
