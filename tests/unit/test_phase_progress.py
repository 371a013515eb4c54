"""The progress of long commands in phases (``kb add-geonames``: reading the gazetteer, adding places,
each step of the index build): on a terminal one bar naming the phase and counting it from the start,
off a terminal one line as each phase starts."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from annotator.cli.output import PhaseProgress


def shown(progress: PhaseProgress) -> str:
    """The bar's line as the terminal shows it now."""
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(progress._bar.get_renderable())
    return out.getvalue().strip()


def test_on_a_terminal_the_bar_names_each_phase_and_counts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    progress = PhaseProgress()
    try:
        progress.phase("reading the gazetteer")  # before any count: named at once
        line = shown(progress)
        assert line.startswith("reading the gazetteer") and "0/?" in line
        progress.phase("adding places", 120_000, 235_419)
        line = shown(progress)
        assert line.startswith("adding places") and "120000/235419" in line
        progress.phase("building the knowledge-base index: reading the names", 230_000, 235_419)
        assert "reading the names" in shown(progress) and "230000/235419" in shown(progress)
        progress.phase("building the knowledge-base index: the index of trigrams", 3, 5)
        line = shown(progress)
        assert "the index of trigrams" in line and "3/5" in line
        progress.phase("markup [bold]x[/bold]")  # a phase's name is literal; no count yet: it pulses
        line = shown(progress)
        assert line.startswith("markup [bold]x[/bold]") and "0/?" in line
    finally:
        progress.close()


def test_off_a_terminal_one_line_as_each_phase_starts(capsys: pytest.CaptureFixture[str]) -> None:
    progress = PhaseProgress()
    progress.phase("reading the gazetteer")
    for done in range(0, 200_000, 5_000):
        progress.phase("adding places", done, 200_000)
    for n, step in enumerate(["reading the names", "sorting the names", "saving the index"]):
        progress.phase(f"building the knowledge-base index: {step}", n, 3)
    progress.close()
    assert capsys.readouterr().err.splitlines() == [
        "annotator: reading the gazetteer...",
        "annotator: adding places...",
        "annotator: building the knowledge-base index...",
    ]
