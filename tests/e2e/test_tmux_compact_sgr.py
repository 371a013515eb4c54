"""The article's lines written with fewer escape sequences (``CompactStrip``) look in a real terminal
(tmux) cell for cell as Textual's own writing of the same segments."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from annotator.tui.widgets.painted_lines import CompactStrip

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("CI") is None,
    reason="tmux is not installed (make test installs it)",
)

WIDTH = 100
COLOURS = [
    None,
    "#e0e0e0",
    "#1e1e1e",
    "#5fafd7",
    "#d7af00",
    "#00af87",
    "#ff8787",
    "red",
    "color(234)",
    "default",
]
ATTRIBUTES = ["bold", "dim", "italic", "underline", "reverse", "strike", "blink", "conceal", "underline2"]


def random_style(rng: random.Random) -> Style | None:
    if rng.random() < 0.05:
        return None
    flags = {name: True for name in ATTRIBUTES if rng.random() < 0.25}
    return Style(color=rng.choice(COLOURS), bgcolor=rng.choice(COLOURS), **flags)  # type: ignore[arg-type]


def random_line(rng: random.Random) -> list[Segment]:
    segments, cells = [], 0
    while cells < WIDTH - 12:
        text = "".join(rng.choice("abc xyz") for _ in range(rng.randint(0, 8)))
        segments.append(Segment(text, random_style(rng)))
        cells += len(text)
    return segments


def shown_in_tmux(tmp_path: Path, name: str, lines: list[str]) -> str:
    """What tmux has on screen, with its attributes, after ``lines`` were written one per row."""
    out = tmp_path / f"{name}.txt"
    rows = "".join(f"\x1b[{row + 1};1H{line}" for row, line in enumerate(lines))
    out.write_text(f"\x1b[H\x1b[2J{rows}\x1b[{len(lines) + 1};1HEND")
    socket = f"annotator-sgr-{os.getpid()}-{tmp_path.name}-{name}"
    run = ["tmux", "-L", socket, "-f", "/dev/null"]
    try:
        subprocess.run(
            [*run, "new-session", "-d", "-x", str(WIDTH), "-y", str(len(lines) + 2), f"cat {out}; sleep 30"],
            check=True,
        )
        subprocess.run([*run, "set", "-g", "default-terminal", "tmux-256color"], check=True)
        for _ in range(200):
            screen = subprocess.run(
                [*run, "capture-pane", "-p", "-e", "-N"], check=True, capture_output=True, text=True
            ).stdout
            if "END" in screen:
                return screen
            time.sleep(0.02)
        raise AssertionError(f"tmux never showed the lines:\n{screen}")
    finally:
        subprocess.run([*run, "kill-server"], capture_output=True)


@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR, ColorSystem.STANDARD])
def test_compact_lines_look_as_textuals_in_a_real_terminal(tmp_path: Path, system: ColorSystem) -> None:
    rng = random.Random(int(system))
    console = Console(color_system=system.name.lower() if system != ColorSystem.EIGHT_BIT else "256")
    assert console._color_system == system
    lines = [random_line(rng) for _ in range(30)]
    textual = [Strip(line).render(console) for line in lines]
    compact = [CompactStrip(line).render(console) for line in lines]
    assert sum(map(len, compact)) < sum(map(len, textual))
    assert shown_in_tmux(tmp_path, "compact", compact) == shown_in_tmux(tmp_path, "textual", textual)


def test_pieces_of_a_compact_line_are_compact_and_cover_the_line() -> None:
    rng = random.Random(3)
    line = CompactStrip(random_line(rng))
    cuts = [10, 40, line.cell_length]  # as the compositor cuts: the last at the line's end
    pieces = line.divide(cuts)
    assert all(isinstance(piece, CompactStrip) for piece in pieces)
    assert line.divide(cuts) is pieces  # kept: their text is made once
    assert "".join(piece.text for piece in pieces) == line.text
