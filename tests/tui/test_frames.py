"""Every frame the annotation screen leaves on the terminal is the one it would draw from scratch.

A seeded random walk over the real app (a real SQLite file with the seed article and a long article,
the real proposal thread answering when it does) presses the keys people press while proposals come
and go: Tab and shift+Tab between the panels, ``Y``/``y``/``X``, label keys, selections, undo and redo,
page moves, resizes, help and the stats screen, ``]``/``[``, keys typed ahead in one go. After each step
the screen as a terminal shows it (every update the app sent, applied to a grid: ``TerminalCopy``) is
compared with a full redraw, and every article row on that terminal with the text as a fresh layout of
the database's spans and the proposals shown draws it. A failing walk is shrunk to the fewest steps
that still fail, and the message gives them.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from annotator.memory import nests_in
from annotator.model import ImportRecord, Span
from annotator.spans import overlaps
from annotator.store import Store
from annotator.text import tokenize
from annotator.tui.app import make_app
from annotator.tui.article_layout import ArticleLayout
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.article_lines import ArticleLook
from tests.conftest import SEED
from tests.tui.terminal_copy import TerminalCopy, full_render, strip_text

Step = tuple[str, object]

KEYS = {
    "tab": 8,
    "shift+tab": 4,
    "Y": 4,
    "y": 5,
    "X": 3,
    "a": 3,
    "p": 3,
    "e": 2,
    "2": 1,
    "x": 2,
    "u": 4,
    "ctrl+r": 2,
    "right": 3,
    "left": 2,
    "shift+right": 4,
    "shift+left": 1,
    "down": 3,
    "up": 2,
    "shift+down": 1,
    "pagedown": 3,
    "pageup": 2,
    "ctrl+end": 1,
    "ctrl+home": 1,
    "l": 2,
    "O": 1,
    "escape": 3,
    "enter": 1,
    "right_square_bracket": 2,
    "left_square_bracket": 1,
    "question_mark": 1,
    "S": 1,
    "greater_than_sign": 1,
    "full_stop": 1,
    "less_than_sign": 1,
    "comma": 1,
}
SIZES = [(80, 24), (120, 40), (100, 30), (72, 20)]


def long_article() -> str:
    """The seed's paragraphs over again in a shuffled order (about 20 KB), with wide and joined
    characters and a word longer than a line."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    rng = random.Random(7)
    parts = []
    for n in range(8):
        chosen = paragraphs[:]
        rng.shuffle(chosen)
        parts.extend(chosen)
        if n == 3:
            parts.append(
                "Paris Saint-Germain won’t lose to 李明 in 東京 🇯🇵, said the Élysée " + "Karabakh" * 14
            )
    return "\n\n".join(parts)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("frames") / "template.db"
    with Store(db) as store:
        store.documents.import_records(
            [
                ImportRecord(SEED.read_text(encoding="utf-8"), "seed", "test"),
                ImportRecord(long_article(), "long", "test"),
            ],
            default_layer="alice",
        )
    return db


def random_walk(seed: int, length: int) -> list[Step]:
    rng = random.Random(seed)
    keys, weights = list(KEYS), list(KEYS.values())
    steps: list[Step] = []
    while len(steps) < length:
        roll = rng.random()
        if roll < 0.06:
            steps.append(("resize", rng.choice(SIZES)))
        elif roll < 0.12:
            steps.append(("wait", rng.choice([0.05, 0.2, 0.6])))
        elif roll < 0.24:  # typed ahead: in one go, no frame between them
            steps.append(("burst", tuple(rng.choices(keys, weights, k=rng.randint(2, 5)))))
        else:
            steps.append(("key", rng.choices(keys, weights)[0]))
        if steps[-1][0] == "key" and steps[-1][1] in ("question_mark", "S"):
            steps.append(("key", "escape"))  # back to the article screen: its frames are the subject
    return steps


def _key_event(key: str) -> events.Key:
    char = {
        "question_mark": "?",
        "right_square_bracket": "]",
        "left_square_bracket": "[",
        "greater_than_sign": ">",
        "less_than_sign": "<",
        "full_stop": ".",
        "comma": ",",
    }.get(key)
    if char is None:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def _settle(pilot: Pilot[None]) -> None:
    """Until the app has drawn everything it means to and its writes have landed."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        screen = app.screen
        pending = isinstance(screen, AnnotateScreen) and screen.writes_pending
        if not (
            pending
            or screen._dirty_widgets
            or screen._compositor._dirty_regions
            or screen._layout_required
            or screen._scroll_required
            or screen._repaint_required
        ):
            await pilot.pause()
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the app never settled")


def _key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


def problems(app, terminal: TerminalCopy) -> list[str]:  # type: ignore[no-untyped-def]
    """What differs between the terminal and what the app would draw now from scratch."""
    found: list[str] = []
    full = full_render(app)
    for y, (shown, drawn) in enumerate(zip(terminal.rows, full.rows, strict=True)):
        if shown != drawn:
            cells = [x for x, (a, b) in enumerate(zip(shown, drawn, strict=True)) if a != b]
            found.append(
                f"row {y} stale at columns {cells[0]}-{cells[-1]}:\n  shown {terminal.text(y)!r}\n"
                f"  drawn {full.text(y)!r}"
            )
    screen = app.screen
    if not isinstance(screen, AnnotateScreen):
        return found
    view = screen.query_one(ArticleView)
    stored = screen.store.edits.spans(screen.doc_id, screen.layer_name)
    if sorted(map(_key, stored)) != sorted(map(_key, view.spans)):
        found.append(f"spans shown {sorted(map(_key, view.spans))} but stored {sorted(map(_key, stored))}")
    proposals = view.proposals
    for a, b in itertools.pairwise(proposals):
        if overlaps(a.start, a.end, b.start, b.end):
            found.append(f"proposals overlap: {_key(a)} {_key(b)}")
    nests = nests_in((s.start, s.end) for s in view.spans)
    for p in proposals:
        if view.spans_between(p.start, p.end) and not nests(p.start, p.end):
            found.append(f"proposal across a span (not a name inside it): {_key(p)}")
    if not view.laid_out:
        return found
    layout = view.text_layout
    fresh = ArticleLayout(view.text, layout.width, stored, view._tag_cells(), proposals)
    if fresh.lines != layout.lines:
        first = next(
            (i for i, (a, b) in enumerate(zip(fresh.lines, layout.lines, strict=False)) if a != b),
            min(len(fresh.lines), len(layout.lines)),
        )
        found.append(
            f"lines differ from a fresh layout from line {first}: "
            f"{layout.lines[first : first + 3]} against {fresh.lines[first : first + 3]}"
        )
        return found
    if [sorted(map(_key, s)) for s in layout.line_spans] != [sorted(map(_key, s)) for s in fresh.line_spans]:
        found.append("the spans listed per line differ from a fresh layout's")
    region = view.scrollable_content_region
    base = view.rich_style
    look = ArticleLook(screen.label_styles)
    cursor = view.tokens[view.cursor] if view.tokens else None
    for row in range(region.height):
        line = row + view.scroll_offset.y
        if line < len(fresh.lines):
            segments = look.line(fresh, line, base, view.selection, cursor, proposals, view.flags)
            strip = Strip(segments)
        else:
            strip = Strip.blank(region.width, base)
        want = strip.crop_extend(view.scroll_offset.x, view.scroll_offset.x + region.width, base)
        mine = view.render_line(row)
        if list(mine) != list(want):
            found.append(f"article line {line} rendered {strip_text(mine)!r}, fresh {strip_text(want)!r}")
        y = region.y + row
        if y >= len(terminal.rows):
            continue
        expected = _cells_text(want)
        for x in range(region.width):
            if screen.get_widget_at(region.x + x, y)[0] is not view:
                continue  # a notification over the article
            shown = terminal.rows[y][region.x + x][0]
            if shown != expected[x]:
                drawn, text = terminal.text(y, region.x, region.right), "".join(expected)
                found.append(f"article row {row} (line {line}) on the terminal {drawn!r}, the text {text!r}")
                break
    return found


def _cells_text(strip: Strip) -> list[str]:
    from rich.cells import get_character_cell_size

    cells: list[str] = []
    for segment in strip:
        for char in segment.text:
            width = get_character_cell_size(char)
            if width == 0 and cells:
                cells[-1] += char
            elif width:
                cells.append(char)
                if width == 2:
                    cells.append("")
    return cells


async def run_walk(db: Path, steps: Sequence[Step], size: tuple[int, int]) -> tuple[int, list[str]] | None:
    """Walk ``steps`` on a fresh app; the first step after which the frame is wrong, and how."""
    store = Store(db)
    app = make_app(store, "alice", "seed")
    terminal = TerminalCopy(app)
    try:
        async with app.run_test(size=size) as pilot:
            await _settle(pilot)
            for number, (kind, value) in enumerate(steps):
                if kind == "key":
                    await pilot.press(str(value))
                elif kind == "burst":
                    driver = app._driver
                    assert driver is not None
                    for key in value:  # type: ignore[attr-defined]
                        driver.send_message(_key_event(key))
                elif kind == "resize":
                    await pilot.resize_terminal(*value)  # type: ignore[misc]
                elif kind == "wait":
                    await asyncio.sleep(float(value))  # type: ignore[arg-type]
                await _settle(pilot)
                found = problems(app, terminal)
                if found:  # a look-up thread's answer may have come between the pause and the check
                    await asyncio.sleep(0.3)
                    await _settle(pilot)
                    found = problems(app, terminal)
                if found:
                    return number, found
    finally:
        store.close()
    return None


async def shrink(
    template: Path, tmp_path: Path, steps: list[Step], size: tuple[int, int], budget: int = 40
) -> list[Step]:
    """Fewer steps that still fail (delta debugging, each try a fresh app on a fresh copy)."""
    chunk = max(len(steps) // 2, 1)
    while chunk >= 1 and budget > 0:
        at = 0
        while at < len(steps) and budget > 0:
            trial = steps[:at] + steps[at + chunk :]
            budget -= 1
            db = fresh_copy(template, tmp_path, f"shrink{budget}.db")
            failed = await run_walk(db, trial, size) if trial else None
            if failed is not None:
                steps = trial[: failed[0] + 1]
            else:
                at += chunk
        chunk //= 2
    return steps


def fresh_copy(template: Path, tmp_path: Path, name: str) -> Path:
    db = tmp_path / name
    shutil.copy(template, db)
    return db


class ArticleApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView()


async def test_a_proposal_on_screen_is_drawn_when_another_far_below_moves_lines() -> None:
    """Proposals that come together, one on a line on screen that keeps its words and one far below
    whose tag pushes a word to a new line: the line on screen was listed as touched but only the lines
    from the one that moved were drawn again, so the terminal kept it without its ``PLACE?``."""
    app = ArticleApp()
    terminal = TerminalCopy(app)
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        width = view.scrollable_content_region.width
        words: list[str] = []
        while len(" ".join([*words, "Baku"])) <= width:
            words.append("Baku")
        full = " ".join(words)
        full += "x" * (width - len(full))  # its last word ends in the line's last cell
        filler = "\n\n".join(f"Line {n} of the article." for n in range(60))
        text = f"Top line.\n\nShelling hit Gubadli.\n\n{filler}\n\n{full}"
        assert max(len(part) for part in text.split("\n")) <= width
        view.load(text, tokenize(text), [])
        await pilot.pause()
        before = len(view.text_layout.lines)
        gubadli = text.index("Gubadli")
        last = text.rindex(" ") + 1
        view.add_proposals([Span(gubadli, gubadli + 7, "PLACE"), Span(last, len(text), "PLACE")])
        await pilot.pause()
        assert len(view.text_layout.lines) == before + 1  # the last line's word went to a line of its own
        row = view.text_layout.line_of(gubadli)
        region = view.scrollable_content_region
        assert "Gubadli PLACE?" in full_render(app).text(region.y + row)
        assert "Gubadli PLACE?" in terminal.text(region.y + row)


@pytest.mark.parametrize(
    ("seed", "size"),
    [
        (0, (80, 24)),
        (2, (120, 40)),
    ],  # walks that found the two wrong frames (Y, then ] Y [ [ on the long one)
    ids=["80x24", "120x40"],
)
async def test_every_frame_a_random_walk_leaves_is_the_one_drawn_from_scratch(
    template: Path, tmp_path: Path, seed: int, size: tuple[int, int]
) -> None:
    steps = random_walk(seed, 50)
    db = fresh_copy(template, tmp_path, "walk.db")
    failed = await run_walk(db, steps, size)
    if failed is None:
        return
    number, found = failed
    smallest = await shrink(template, tmp_path, steps[: number + 1], size)
    pytest.fail(f"after step {number} of {smallest}:\n" + "\n".join(found[:8]))
