"""The real app in a real terminal (tmux): what reaches the screen, and what survives a SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.store import Store
from tests.conftest import SEED

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("CI") is None,
    reason="tmux is not installed (make test installs it)",
)


TERMINAL_ENV = {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES")}
"""pytest exports COLUMNS and LINES; Textual would take them for the terminal's size and ignore resizes."""


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True, env=TERMINAL_ENV
        )
        return out.stdout

    def start(self, command: list[str], width: int = 100, height: int = 30) -> None:
        line = "exec " + " ".join(f"'{part}'" for part in command)
        self("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height), line)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app")

    def wait_for(self, check: Callable[[str], bool], timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never matched:\n{screen}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        self("send-keys", "-t", "app", *keys)

    def search(self, word: str) -> None:
        """``/`` WORD Enter, as a user types it: the match selected, the prompt closed."""
        self.keys("/")
        self.wait_for(lambda s: "Search the article" in s)
        self.keys(word, "Enter")
        self.wait_for(lambda s: f"selection {word}" in s and "▔▔▔" not in s)

    def pane_pid(self) -> int:
        return int(self("display-message", "-p", "-t", "app", "#{pane_pid}").strip())


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(f"annotator-test-{os.getpid()}-{tmp_path.name}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


def app_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "--db", str(db), "--user", "alice", *args]


def test_search_tag_and_sigkill_keeps_the_span(tmux: Tmux, db: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    with Store(db) as store:
        from annotator.importing import find_files, read_files

        store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    tmux.start(app_command(db, "annotate"))
    tmux.wait_for(lambda s: "document 1 of 1" in s and "Armenia says" in s)
    tmux.search("Gubadli")
    tmux.keys("p")
    tmux.wait_for(lambda s: "PLACE  1" in s)
    os.kill(tmux.pane_pid(), signal.SIGKILL)
    conn = sqlite3.connect(db)
    spans = conn.execute('SELECT start, "end", label, layer FROM spans').fetchall()
    conn.close()
    start = text.index("Gubadli")
    assert spans == [(start, start + len("Gubadli"), "PLACE", "alice")]


def test_markup_and_escape_sequences_show_literally(tmux: Tmux, db: Path) -> None:
    Store(db).close()
    hostile = (
        "Tags [bold]stay[/bold] and [link=https://example.com]links[/link] and [@click=app.quit]clicks[/]"
        " and an unbalanced [/] too.\n\nTitle \x1b]0;pwned\x07 red \x1b[31mRED\x1b[0m bell \x07 c1 \x9b end."
    )
    conn = sqlite3.connect(db)  # straight into the database: import would have removed the controls
    conn.execute("INSERT INTO documents (key, text, hash, created) VALUES ('hostile', ?, 'h', 0)", (hostile,))
    conn.commit()
    conn.close()
    tmux("new-session", "-d", "-s", "probe", "-x", "40", "-y", "5", "sleep 60")
    tmux.start(app_command(db, "annotate"))
    title_before = tmux("display-message", "-p", "-t", "app", "#{pane_title}")
    screen = tmux.wait_for(lambda s: "Tags" in s)
    assert "[bold]stay[/bold]" in screen
    assert "[link=https://example.com]links[/link]" in screen
    assert "[@click=app.quit]clicks[/]" in screen
    assert "unbalanced [/] too." in screen
    assert "\u241b]0;pwned\u2407" in screen and "\u241b[31mRED" in screen
    assert tmux("display-message", "-p", "-t", "app", "#{pane_title}") == title_before
    assert "pwned" not in tmux("display-message", "-p", "-t", "app", "#{pane_title}")
    coloured = tmux("capture-pane", "-p", "-e", "-t", "app")
    red_line = next(line for line in coloured.splitlines() if "RED" in line)
    assert "\x1b[31m" not in red_line
    # clicking on the text does nothing but move the selection: the app is still running
    tmux.keys("Right", "Right")
    time.sleep(0.3)
    assert "Tags" in tmux.screen()


def test_wide_characters_and_a_resize_in_a_real_terminal(tmux: Tmux, db: Path) -> None:
    text = "Talks in 東京 with 👩\u200d🔬 scientists at the cafe\u0301 today. " + "More words here. " * 16
    with Store(db) as store:
        from annotator.model import ImportRecord

        store.documents.import_records(
            [ImportRecord(text=text, key="wide", source="t")], default_layer="alice"
        )
    # Without the model: its proposals draw their labels in the line (`Talks EVENT? in`), and this test
    # reads the words' places in the terminal.
    settings = db.parent / "no-model.toml"
    settings.write_text("[suggest]\nmodel = false\n", encoding="utf-8")
    tmux.start(["env", f"ANNOTATOR_CONFIG={settings}", *app_command(db, "annotate")])
    tmux.wait_for(lambda s: "Talks in 東京 with" in s)
    tmux.search("東京")
    tmux.keys("p")
    tmux.wait_for(lambda s: "東京 PLACE with" in s)
    tmux("resize-window", "-t", "app", "-x", "50", "-y", "16")
    # re-wrapped at the new width: the line now ends after "with"
    narrow = tmux.wait_for(lambda s: "Talks in 東京 PLACE with " in s and "with 👩" not in s)
    assert "selection 東京" in narrow  # the selection survived the re-wrap
    tmux.keys("Right", "Right", "e")  # past 京 and "with": the ZWJ emoji is one token
    tmux.wait_for(lambda s: "EVENT  1" in s)
    conn = sqlite3.connect(db)
    spans = conn.execute('SELECT start, "end", label FROM spans ORDER BY start').fetchall()
    conn.close()
    assert [(text[s:e], label) for s, e, label in spans] == [("東京", "PLACE"), ("👩\u200d🔬", "EVENT")]


def test_review_decision_survives_sigkill(tmux: Tmux, db: Path) -> None:
    from tests.tui.test_review import HOT, two_layers

    two_layers(db).close()
    tmux.start(app_command(db, "review"), width=120, height=30)
    tmux.wait_for(lambda s: "annotator review" in s and "1. label Shusha" in s)
    tmux.keys("2")  # bob's version of the first disagreement: Shusha as ACTOR
    tmux.wait_for(lambda s: "Shusha ACTOR" in s)  # in gold: the article shows it tagged
    os.kill(tmux.pane_pid(), signal.SIGKILL)
    conn = sqlite3.connect(db)
    query = "SELECT start, \"end\", label FROM spans WHERE layer = 'gold' ORDER BY start"
    gold = conn.execute(query).fetchall()
    conn.close()
    assert [(HOT[s:e], label) for s, e, label in gold] == [("Gubadli", "PLACE"), ("Shusha", "ACTOR")]


def test_a_suggestion_taken_with_enter_links_the_kb_entry(tmux: Tmux, db: Path, tmp_path: Path) -> None:
    text = "Shelling hit Gubadli on Monday."
    with Store(db) as store:
        from annotator.model import ImportRecord, KbEntry

        store.documents.import_records([ImportRecord(text=text, key="d", source="t")], default_layer="alice")
        store.kb.add([KbEntry("Qubadlı", "PLACE", ("Kubadli",), "geonames:147305", "Azerbaijan")])
    tmux.start(app_command(db, "annotate"))
    tmux.wait_for(lambda s: "Shelling hit" in s)
    tmux.search("Gubadli")
    tmux.wait_for(lambda s: "▸  PLACE  Qubadlı 86" in s)  # ▸: what Enter takes (close enough)
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "Gubadli PLACE" in s)
    os.kill(tmux.pane_pid(), signal.SIGKILL)
    conn = sqlite3.connect(db)
    spans = conn.execute('SELECT start, "end", label, kb_id, source FROM spans').fetchall()
    conn.close()
    assert spans == [(13, 20, "PLACE", "geonames:147305", "suggestion")]


def seeded_db(db: Path) -> str:
    from annotator.importing import find_files, read_files

    with Store(db) as store:
        store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    return SEED.read_text(encoding="utf-8")


def test_search_enter_hands_the_keys_back_and_n_shift_n_walk_the_matches(tmux: Tmux, db: Path) -> None:
    text = seeded_db(db)
    first = text.index("Gubadli")
    second = text.index("Gubadli", first + 1)
    tmux.start(app_command(db, "annotate"), width=80, height=24)
    tmux.wait_for(lambda s: "document 1 of 1" in s and "Armenia says" in s)
    tmux.keys("/")
    tmux.wait_for(lambda s: "Search the article" in s)
    tmux.keys("Gubadli", "Enter", "p")  # no Esc: the tag key goes to the article, not the prompt
    tmux.wait_for(lambda s: "PLACE  1" in s)
    tmux.keys("n")  # the second Gubadli, further down: the article scrolls to it
    tmux.wait_for(lambda s: "selection Gubadli" in s and "line 1/" not in s)
    tmux.keys("p")
    tmux.wait_for(lambda s: "PLACE  2" in s)
    tmux.keys("N", "N")  # back to the first, then wrapped to the last: said in the status line
    tmux.wait_for(lambda s: "wrapped to the bottom" in s)
    assert "Gubadlip" not in tmux.screen()
    os.kill(tmux.pane_pid(), signal.SIGKILL)
    conn = sqlite3.connect(db)
    spans = conn.execute('SELECT start, "end", label FROM spans ORDER BY start').fetchall()
    conn.close()
    assert spans == [(first, first + 7, "PLACE"), (second, second + 7, "PLACE")]


SCROLLBAR = "▁▂▃▄▅▆▇█"
"""What a vertical scroll bar's thumb is drawn with (beside the text, never part of it)."""


def two_layers_on_the_seed(db: Path) -> str:
    """alice and bob finished the seed article, disagreeing on long names (they wrap in the panel)."""
    from annotator.model import Span

    text = seeded_db(db)

    def at(words: str, label: str) -> Span:
        start = text.index(words)
        return Span(start, start + len(words), label)

    with Store(db) as store:
        doc = store.documents.ids()[0]
        alice = [
            at("Arthur Hansen", "ACTOR"),
            at("Armenian Defense Ministry official", "ACTOR"),
            at("Gubadli settlement south of the enclave", "PLACE"),
            at("news conference", "EVENT"),
        ]
        bob = [at("Arthur Hansen", "ACTOR"), at("Armenian Defense Ministry", "ACTOR"),
               at("Gubadli", "PLACE"), at("news conference", "ACTOR")]  # fmt: skip
        for layer, spans in (("alice", alice), ("bob", bob)):
            store.edits.edit(doc, layer, add=spans, who=layer)
            store.progress.set_status(doc, layer, "done")
    return text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_nothing_on_the_review_screen_is_cut_off(tmux: Tmux, db: Path, size: tuple[int, int]) -> None:
    text = two_layers_on_the_seed(db)
    flat = " ".join(text.split())
    tmux.start(app_command(db, "review"), width=size[0], height=size[1])
    screen = tmux.wait_for(lambda s: "Disagreements" in s and "1. boundary" in s)
    tmux.keys("l")  # no label tags after the spans: what is left on each line is the article's own text
    panel = screen.splitlines()[1].index("╭─ Disagreements")

    def untagged(screen: str) -> bool:
        article = [row[:panel] for row in screen.splitlines()[1:-2]]
        return not any(label in row for row in article for label in ("ACTOR", "PLACE", "EVENT"))

    rows = tmux.wait_for(untagged).splitlines()
    article_rows = [row[:panel].rstrip().rstrip(SCROLLBAR).strip() for row in rows[1:-2]]
    assert sum(bool(row) for row in article_rows) >= size[1] // 2
    for row in article_rows:
        assert " ".join(row.split()) in flat, f"not a slice of the article: {row!r}"
    # the panel's text wraps between words: joined up, each disagreement reads whole
    end = next(i for i, row in enumerate(rows) if i > 1 and row[panel:].startswith("╰"))
    panel_text = " ".join(row[panel + 1 :].rstrip().rstrip("│ " + SCROLLBAR) for row in rows[2:end])
    panel_text = " ".join(panel_text.split())
    assert "1. boundary Armenian Defense Ministry official" in panel_text
    assert "alice: ACTOR Armenian Defense Ministry official" in panel_text
    assert "bob: ACTOR Armenian Defense Ministry" in panel_text


def test_the_footer_at_80x24_has_help_quit_and_the_focused_panels_keys(tmux: Tmux, db: Path) -> None:
    seeded_db(db)
    tmux.start(app_command(db, "annotate"), width=80, height=24)
    screen = tmux.wait_for(lambda s: "document 1 of 1" in s and "Armenia says" in s)
    footer = screen.splitlines()[-1]
    assert "? Help" in " ".join(footer.split()) and "q Quit" in " ".join(footer.split())
    assert " a  Actor " in footer  # the article's: the label keys first
    tmux.keys("Tab")
    footer = " ".join(tmux.wait_for(lambda s: "Suggestions:" in s.splitlines()[-1]).splitlines()[-1].split())
    assert footer.startswith("Suggestions: ↑↓ Move ⏎ Take 1-9 Take nth")
    assert footer.endswith("? Help q Quit")
    tmux.keys("Tab")
    footer = " ".join(tmux.wait_for(lambda s: "Entities:" in s.splitlines()[-1]).splitlines()[-1].split())
    assert footer.startswith("Entities: ↑↓ Move ⏎ Jump f Filter esc Back") and footer.endswith(
        "? Help q Quit"
    )
    tmux.keys("Escape")  # back to the article
    tmux.wait_for(lambda s: " a  Actor " in s.splitlines()[-1])
    tmux.keys("?")
    help_screen = tmux.wait_for(lambda s: "Keys (Esc closes)" in s)
    assert "Annotation screen: whatever has the focus" in help_screen


def test_a_hostile_document_key_and_user_name_act_on_nothing(tmux: Tmux, db: Path) -> None:
    """A key an earlier annotator let in (OSC 0 title, OSC 52 clipboard, CSI colour, C1 CSI, a bidi
    override) and a user name with an escape in it, in the title line: shown spelled out, nothing acts."""
    with Store(db) as store:
        from annotator.model import ImportRecord

        store.documents.import_records([ImportRecord("Troops left Gubadli.", "k", "t")], "alice")
    key = "\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\x1b[31mRED\x9b32m\u202eevil"
    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET key = ?", (key,))
    conn.commit()
    conn.close()
    tmux("new-session", "-d", "-s", "probe", "-x", "40", "-y", "5", "sleep 60")
    tmux("set-option", "-s", "set-clipboard", "on")  # OSC 52 would make a tmux buffer
    command = [
        sys.executable,
        "-m",
        "annotator",
        "--db",
        str(db),
        "--user",
        "al\x1b]2;owned\x07ice",
        "annotate",
    ]
    line = "exec " + " ".join(f"'{part}'" for part in command)
    tmux("new-session", "-d", "-s", "app", "-x", "160", "-y", "30", line)
    title_before = tmux("display-message", "-p", "-t", "probe", "#{pane_title}")
    screen = tmux.wait_for(lambda s: "Troops left" in s and "evil" in s)
    assert "\\x1b]0;pwned\\x07\\x1b]52;c;cHduZWQ=\\x07\\x1b[31mRED\\x9b32m\\u202eevil" in screen
    assert "al\\x1b]2;owned\\x07ice" in screen
    time.sleep(0.3)
    for pane in ("app", "probe"):
        title = tmux("display-message", "-p", "-t", pane, "#{pane_title}")
        assert "pwned" not in title and "owned" not in title
    assert tmux("display-message", "-p", "-t", "probe", "#{pane_title}") == title_before
    assert tmux("list-buffers") == ""
    coloured = tmux("capture-pane", "-p", "-e", "-t", "app")
    title_line = next(line for line in coloured.splitlines() if "RED" in line)
    assert "\x1b[31m" not in title_line and "\x1b[32m" not in title_line


def test_a_part_of_a_hyphenated_word_and_whole_words_in_a_real_terminal(tmux: Tmux, db: Path) -> None:
    """The terminal's ctrl+arrows move by whole words; US alone in US-backed takes a tag."""
    from annotator.model import ImportRecord

    text = "the US-backed truce and Baku-Yerevan talks."
    with Store(db) as store:
        store.documents.import_records([ImportRecord(text, "hyphens", "t")], default_layer="alice")
    tmux.start(app_command(db, "annotate"), width=80, height=24)
    tmux.wait_for(lambda s: "the US-backed truce" in s)
    tmux.keys("Right")
    tmux.wait_for(lambda s: "selection US" in s)
    tmux.keys("p")
    tmux.wait_for(lambda s: "US PLACE-backed" in s)
    tmux.keys("C-Right", "C-Right", "C-Right")  # truce, and, Baku
    tmux.wait_for(lambda s: "selection Baku" in s)
    tmux.keys("C-S-Right")
    tmux.wait_for(lambda s: "selection Baku-Yerevan" in s)
    tmux.keys("e")
    tmux.wait_for(lambda s: "Baku-Yerevan EVENT" in s)
    conn = sqlite3.connect(db)
    spans = conn.execute('SELECT start, "end", label FROM spans ORDER BY start').fetchall()
    conn.close()
    assert [(text[s:e], label) for s, e, label in spans] == [("US", "PLACE"), ("Baku-Yerevan", "EVENT")]
