"""The hostile corpus (tests/data/hostile/) on every screen of the real app in a real terminal: every
document on the annotation and the review screen, the document list, the entity panel (filtered by a
markup word), help and the guidelines. After each, nothing acted: no pane's title changed (OSC 0/2), no
tmux buffer was made (OSC 52, with ``set-clipboard on``), and no cell carries a colour or attribute the
app does not draw with (CSI, C1 CSI): the text's own sequences reach the terminal as pictures."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.importing import find_files, import_files
from annotator.model import Span
from annotator.store import Store
from tests.e2e.test_tmux import Tmux, pytestmark  # noqa: F401  (the skip without tmux)

CORPUS = Path(__file__).resolve().parent.parent / "data" / "hostile"
RAW_TEXT = (
    "Plain words first. Title \x1b]0;pwned\x07 clip \x1b]52;c;cHduZWQ=\x07 link \x1b]8;;https://evil.example"
    "\x1b\\Baku\x1b]8;;\x1b\\ red \x1b[31mSHUSHA\x1b[0m clear \x1b[2J move \x1b[5;5H c1 \x9b32mGREEN bidi"
    " \u202eevil\u202c end."
)
"""A text an earlier annotator let in with its controls (import removes them now): straight into the
database, as are the two keys below."""
RAW_KEYS = ("raw\x1b]2;owned\x07[/]", "csi\x1b[31m\x9b32m\u202ekey")
GUIDELINES = (
    "# Guidelines [/]\n\nTag places. Title \x1b]0;pwned\x07 clip \x1b]52;c;cHduZWQ=\x07"
    " red \x1b[31mRED\x1b[0m c1 \x9b32mGREEN [bold]markup[/bold] [link=https://evil.example]x[/link]"
    " \u202eevil\n\n- a\tlist\n"
)

ACTS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[([0-9;]*)m")
OWN_ATTRIBUTES = {0, 1, 2, 3, 4, 7, 21, 22, 23, 24, 27, 39, 49}
"""What Textual draws with (reset, bold, dim, italic, underline, reverse, their ends, default colours);
its colours are 256-colour indexes of the cube and the greys (16-255) or true colour, never the 16
terminal colours a text's ``ESC[31m`` or ``CSI 32m`` would set."""


def _foreign_styles(coloured: str) -> list[str]:
    """Every SGR sequence in ``capture-pane -e`` output that the app itself would not have drawn."""
    foreign = []
    for match in SGR.finditer(coloured):
        params = [int(p) if p else 0 for p in match.group(1).split(";")]
        at = 0
        while at < len(params):
            code = params[at]
            if code in (38, 48, 58) and at + 1 < len(params) and params[at + 1] == 5:
                if params[at + 2] < 16:
                    foreign.append(match.group())
                at += 3
            elif code in (38, 48, 58) and at + 1 < len(params) and params[at + 1] == 2:
                at += 5
            else:
                if code not in OWN_ATTRIBUTES:
                    foreign.append(match.group())
                at += 1
    return foreign


def _cells(line: str) -> list[tuple[str, str]]:
    """One line of ``capture-pane -e`` as (character, the SGR sequences in force) per character."""
    cells, style, at = [], "", 0
    while at < len(line):
        match = SGR.match(line, at)
        if match:
            style = "" if match.group(1) in ("", "0") else style + match.group()
            at = match.end()
            continue
        cells.append((line[at], style))
        at += 1
    return cells


def _style_of(coloured: str, word: str) -> set[str]:
    """The styles of the cells showing ``word`` (its first place on the screen)."""
    for line in coloured.splitlines():
        cells = _cells(line)
        shown = "".join(char for char, _ in cells)
        at = shown.find(word)
        if at >= 0:
            return {_settled(style) for _, style in cells[at : at + len(word)]}
    raise AssertionError(f"{word!r} is not on the screen")


def _settled(style: str) -> str:
    """The colours and attributes a run of SGR sequences leaves (later ones override earlier ones)."""
    state: dict[str, str] = {}
    for match in SGR.finditer(style):
        params = match.group(1).split(";")
        at = 0
        while at < len(params):
            code = params[at]
            if code in ("38", "48") and at + 1 < len(params):
                width = 3 if params[at + 1] == "5" else 5
                state[code] = ";".join(params[at : at + width])
                at += width
            elif code in ("39", "49"):
                state.pop(code[0] + "8", None)
                at += 1
            else:
                state["attr" + code] = code
                at += 1
    return ";".join(f"{k}={v}" for k, v in sorted(state.items()))


@pytest.fixture
def hostile_project(tmp_path: Path) -> tuple[Path, Path, int]:
    """The corpus imported as alice's finished layer, two documents an earlier version let in raw, bob
    disagreeing on every document (for the review screen), and guidelines full of escapes and markup.
    Gives the database, the folder to run in (its annotator.toml) and the number of documents."""
    db = tmp_path / "hostile.db"
    with Store(db) as store:
        import_files(store, find_files([CORPUS], "auto"), default_layer="alice", who="alice")
    conn = sqlite3.connect(db)
    for n, key in enumerate(RAW_KEYS):
        conn.execute(
            "INSERT INTO documents (key, text, hash, created) VALUES (?, ?, ?, 0)", (key, RAW_TEXT, f"raw{n}")
        )
    conn.commit()
    conn.close()
    with Store(db) as store:
        ids = store.documents.ids()
        for doc_id in ids:
            text = store.documents.get(doc_id).text
            end = next((i for i, c in enumerate(text) if c == " "), len(text))
            store.edits.edit(doc_id, "bob", [], [Span(0, end, "EVENT")])
            for layer in ("alice", "bob"):
                store.progress.set_status(doc_id, layer, "done")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "guide [b]x[link=y].md").write_text(GUIDELINES, encoding="utf-8")
    (folder / "annotator.toml").write_text('guidelines = "guide [b]x[link=y].md"\n', encoding="utf-8")
    return db, folder, len(ids)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(f"annotator-hostile-{os.getpid()}-{tmp_path.name}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


class Watch:
    """The terminal around the app: a second session's title, both titles and the buffers, taken before."""

    def __init__(self, tmux: Tmux) -> None:
        self.tmux = tmux
        self.titles = self._titles()

    def _titles(self) -> tuple[str, str]:
        return (
            self.tmux("display-message", "-p", "-t", "app", "#{pane_title}"),
            self.tmux("display-message", "-p", "-t", "probe", "#{pane_title}"),
        )

    def nothing_acted(self, where: str) -> str:
        time.sleep(0.2)  # what the text would do has reached tmux by now
        assert self._titles() == self.titles, where
        assert self.tmux("list-buffers") == "", where
        coloured = self.tmux("capture-pane", "-p", "-e", "-t", "app")
        assert _foreign_styles(coloured) == [], where
        # and nothing a terminal of its own would act on reached this one (tmux shows a bidi override
        # as a character; another terminal turns the line around)
        acting = ACTS.search(self.tmux("capture-pane", "-p", "-t", "app"))
        assert acting is None, f"{where}: {acting.group()!r}"
        assert "pwned" not in self.tmux("display-message", "-p", "-t", "app", "#{pane_title}")
        return coloured


def _start(tmux: Tmux, db: Path, folder: Path, command: str) -> None:
    args = [sys.executable, "-m", "annotator", "--db", str(db), "--user", "alice", command]
    line = f"cd '{folder}' && exec " + " ".join(f"'{part}'" for part in args)
    tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", line)


def _ended(tmux: Tmux, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while (
        subprocess.run(
            ["tmux", "-L", tmux.socket, "has-session", "-t", "app"], capture_output=True
        ).returncode
        == 0
    ):
        assert time.monotonic() < deadline, "the app did not quit"
        time.sleep(0.05)


def _counter(screen: str) -> str | None:
    found = re.search(r"document (\d+) of (\d+)", screen)
    return found.group(1) if found else None


def _every_document(tmux: Tmux, watch: Watch, count: int, where: str) -> set[str]:
    """``]`` through every document: nothing acts on any; gives the title lines seen."""
    seen: set[str] = set()
    for _ in range(count):
        screen = tmux.wait_for(lambda s: _counter(s) is not None and _counter(s) not in seen)
        number = _counter(screen)
        assert number is not None
        seen.add(number)
        tmux.keys("S-Right", "S-Right")  # two tokens selected: the status line and suggestions name them
        tmux.wait_for(lambda s: "selection" in s and "Searching" not in s)
        time.sleep(0.3)  # the look-up waits for the selection to rest
        coloured = watch.nothing_acted(f"{where}, document {number}")
        if "SHUSHA" in screen and "Plain" in screen:  # a raw document: its red word is drawn as the rest
            assert _style_of(coloured, "SHUSHA") == _style_of(coloured, "clip")
            assert _style_of(coloured, "GREEN") == _style_of(coloured, "clip")
            # ␛ pictures in place, whole (one token each): nothing cleared, moved or turned around
            assert "\u241b[31mSHUSHA\u241b[0m" in screen
            for word in ("\u241b[2J", "\u241b[5;5H", "\ufffd32mGREEN", "\ufffdevil\ufffd"):
                assert word in screen, word
        tmux.keys("]")
    assert len(seen) == count
    return seen


def test_the_hostile_corpus_acts_on_nothing_on_any_screen(
    terminal: Tmux, hostile_project: tuple[Path, Path, int]
) -> None:
    tmux = terminal
    db, folder, count = hostile_project
    tmux("new-session", "-d", "-s", "probe", "-x", "40", "-y", "5", "sleep 120")
    tmux("set-option", "-s", "set-clipboard", "on")  # an OSC 52 that got through would make a buffer
    _start(tmux, db, folder, "annotate")
    tmux.wait_for(lambda s: "document 1 of" in s)
    watch = Watch(tmux)
    _every_document(tmux, watch, count, "annotate")

    tmux.keys("g")  # the document list: every key, hostile ones spelled out
    tmux.wait_for(lambda s: "Documents:" in s and "hostile-csi" in s)
    watch.nothing_acted("document list")
    for typed, shown in (("raw", "raw\u241b]2;owned\u2407[/]"), ("csi", "csi\u241b[31m\ufffd32m\ufffdkey")):
        tmux.keys(typed)  # filtered to the hostile keys, spelled as pictures
        tmux.wait_for(lambda s, shown=shown: shown in s)
        watch.nothing_acted(f"document list, {typed}")
        tmux.keys("BSpace", "BSpace", "BSpace")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Documents:" not in s)

    tmux.keys("Tab")  # the suggestions, the entity panel, then that filtered by a word of markup
    tmux.wait_for(lambda s: "Suggestions:" in s.splitlines()[-1])
    tmux.keys("Tab")
    tmux.wait_for(lambda s: "Entities:" in s.splitlines()[-1])
    watch.nothing_acted("entity panel")
    tmux.keys("f")
    tmux.wait_for(lambda s: "Entities holding these words" in s)
    tmux.keys("[/]", "Enter")
    tmux.wait_for(lambda s: "Entities: “[/]”" in s)  # the list filters as the words are typed
    # Enter closes the prompt: the footer, the prompt's keys until then, names the panel as it reads
    tmux.wait_for(lambda s: "Entities: “[/]”:" in s.splitlines()[-1])
    watch.nothing_acted("entity panel, filtered")
    tmux.keys("Escape")

    tmux.keys("?")
    tmux.wait_for(lambda s: "Keys (Esc closes)" in s)
    watch.nothing_acted("help")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Keys (Esc closes)" not in s)

    tmux.keys("H")
    guide = tmux.wait_for(lambda s: "guide [b]x[link=y].md (Esc closes)" in s)
    assert "\u241b]0;pwned\u2407" in guide and "\u241b[31mRED" in guide
    coloured = watch.nothing_acted("guidelines")
    assert _style_of(coloured, "RED") == _style_of(coloured, "places")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "(Esc closes)" not in s)
    tmux.keys("q")
    _ended(tmux)

    _start(tmux, db, folder, "review")
    tmux.wait_for(lambda s: "annotator review" in s and "Disagreements" in s)
    _every_document(tmux, watch, count, "review")
