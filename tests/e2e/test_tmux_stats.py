"""In a real terminal (tmux): the statistics screen on ``S`` at 80x24 and 120x40, every figure whole;
``gg`` to the start of the document."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_tmux import Tmux, app_command, tmux  # noqa: F401 (the fixture)
from tests.tui.test_stats import store_of_two_days


def box(screen: str) -> list[str]:
    """The lines inside the statistics box (the screen under it left out)."""
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if "╭─ Statistics" in line)
    left = lines[top].index("╭")
    right = lines[top].rindex("╮")
    inside = []
    for line in lines[top + 1 :]:
        if line[left : left + 1] == "╰":
            break
        inside.append(line[left + 1 : right])
    return inside


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_s_shows_the_days_whole_and_esc_goes_back(tmux: Tmux, db: Path, size: tuple[int, int]) -> None:  # noqa: F811
    store_of_two_days(db).close()
    width, height = size
    tmux.start(app_command(db, "annotate"), width=width, height=height)
    tmux.wait_for(lambda s: "document 1 of 3" in s)
    tmux.keys("S")
    screen = tmux.wait_for(lambda s: "Statistics" in s and "alice: spans per day" in s)
    rows = [line.split() for line in box(screen) if "2026-03-02" in line]
    if (
        width >= 120
    ):  # the labels beside the rest: day, done, ACTOR, PLACE, EVENT, spans, bar, time, s/k per span
        assert rows == [["2026-03-02", "1", "2", "1", "0", "3", "█" * 8, "0:02:00", "40.0", "10.0"]]
    else:  # the labels in a table of their own below
        assert rows == [["2026-03-02", "1", "3", "█" * 8, "0:02:00", "40.0", "10.0"]]
    assert not any("…" in line for line in box(screen))
    for _ in range(height):
        tmux.keys("Down")
    screen = tmux.wait_for(lambda s: "bob: spans per day" in s)
    assert not any("…" in line for line in box(screen))
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Statistics" not in s and "document 1 of 3" in s)


def test_gg_goes_to_the_start_of_the_document(tmux: Tmux, db: Path) -> None:  # noqa: F811
    store_of_two_days(db).close()
    tmux.start(app_command(db, "annotate"), width=80, height=24)
    tmux.wait_for(lambda s: "selection Iran" in s and "line 1/2 " in s)  # the text wraps at 80 columns
    tmux.keys("G")
    tmux.wait_for(lambda s: "line 2/2 100%" in s)
    tmux.keys("gg")  # one write: the second g reaches the list, whose filter has not the focus yet
    screen = tmux.wait_for(lambda s: "selection Iran" in s and "line 1/2 " in s)
    assert "Documents:" not in screen
