"""The one rule for strings on their way to a terminal: spelled out (``literal``), or one-cell pictures
for article text (``visible``), and JSON escapes (``literal_json``)."""

from __future__ import annotations

import json

import pytest

from annotator.literal import literal, literal_json, literal_line, visible

ACTING = [
    "\x1b]0;title\x07",  # OSC 0
    "\x1b]8;;https://x\x1b\\",  # OSC 8
    "\x1b]52;c;cHduZWQ=\x07",  # OSC 52
    "\x1b[31m",  # CSI
    "\x9b31m",  # C1 CSI
    "\x90\x9d\x9c",  # DCS, OSC, ST as C1
    "\u202e",  # right-to-left override
    "\u2066\u2069\u200f\u061c",  # isolates, marks
    "\u2028",  # line separator
    "\ud800",  # lone surrogate
    "\x7f\x08\r",
]


@pytest.mark.parametrize("text", ACTING)
def test_nothing_a_terminal_acts_on_survives(text: str) -> None:
    shown = literal(f"key {text} end")
    assert shown.isascii()
    assert all(c.isprintable() for c in shown)
    assert shown.startswith("key ") and shown.endswith(" end")
    pictured = visible(text)
    assert len(pictured) == len(text)  # one cell each: offsets stay 1:1
    assert all(c.isprintable() for c in pictured)
    encoded = literal_json(json.dumps({"k": text}, ensure_ascii=False))
    assert encoded.isascii() and all(c.isprintable() for c in encoded)
    assert json.loads(encoded) == {"k": text}


def test_ordinary_text_is_unchanged() -> None:
    text = "Nagorno-Karabakh: Степанакерт, 東京, 👩\u200d🔬, café [bold]x[/bold] C:\\path"
    assert literal(text) == text
    assert visible(text) == text.replace("\u200d", "\u034f")  # the joiner alone: see below
    assert literal_json(json.dumps(text, ensure_ascii=False)) == json.dumps(text, ensure_ascii=False)


def test_spelled_out_forms() -> None:
    assert literal("\x1b]0;x\x07\n\t\u202e\x9b") == "\\x1b]0;x\\x07\\n\\t\\u202e\\x9b"
    assert literal_line("a\x1b\nb\tc") == "a\\x1b\nb\tc"


def _drawn_by_code_point(text: str) -> int:
    """The cells a terminal that draws each code point on its own takes (tmux 3.3): wide characters 2,
    marks and format characters 0, the rest 1."""
    import unicodedata

    return sum(
        0
        if unicodedata.category(char) in ("Mn", "Me", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F
        else 2
        if unicodedata.east_asian_width(char) in "WF"
        else 1
        for char in text
    )


def test_joined_emoji_take_the_cells_both_rich_and_a_terminal_count() -> None:
    """``👩‍🔬`` is one picture of two cells to Rich and four to tmux: the line it is on ended four cells
    later than laid out and pushed the side panel's border. Shown, the joiners join nothing: the pictures
    side by side, the same width for both, one character for one."""
    from rich.cells import cell_len

    for text in (
        "said 👩\u200d🔬 and 👨\u200d👩\u200d👧 at",
        "a thumbs 👍🏽 up",
        "a heart ❤\ufe0f too",
        "☺\ufe0e",
    ):
        shown = visible(text)
        assert len(shown) == len(text)
        assert cell_len(shown) == _drawn_by_code_point(shown)
    assert cell_len(visible("👩\u200d🔬")) == 4
    assert visible("Paris 李明 東京 🇯🇵 é") == "Paris 李明 東京 🇯🇵 é"  # nothing else changes
