"""The annotation screen on a 20,000-word article with 2,000 spans at 120x40: time spent per key.

Per key we add up the work Textual does for it: the action itself, the handlers of the messages it
posts, and every screen update (layout, compositor, strips) until the frame is written. Pilot's own
waits between keys are not counted. A ``TextArea(read_only=True)`` view of the same article, styled
through ``get_line``, is measured in the same run for comparison. Then the time from process start to
the first painted frame, on the seed database and on one of 100,000 documents.

    .venv/bin/python bench/tui.py [--keys 200]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import TextArea

from annotator.importing import find_files, read_files
from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.text import tokenize
from annotator.tui.app import make_app
from bench.corpus import SEED, article, vocabulary

SIZE = (120, 40)


class Meter:
    """Accumulates the time spent in the wrapped callables since the last ``take()``."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, owner: Any, name: str) -> None:
        original = getattr(owner, name)
        meter = self
        if asyncio.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    meter.spent += time.perf_counter() - t

            setattr(owner, name, timed_async)
        else:

            def timed(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    meter.spent += time.perf_counter() - t

            setattr(owner, name, timed)

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent


def make_article(words: int = 20_000, spans: int = 2_000, seed: int = 7) -> tuple[str, list[Span]]:
    rng = random.Random(seed)
    text = article(rng, vocabulary(), words * 6)
    tokens = tokenize(text)
    picks = sorted(rng.sample(range(0, len(tokens) - 3, 4), spans))
    labels = ["ACTOR", "PLACE", "EVENT"]
    return text, [
        Span(tokens[i][0], tokens[i + rng.randint(0, 2)][1], labels[rng.randint(0, 2)]) for i in picks
    ]


def instrument(app: App[Any], meter: Meter) -> None:
    meter.wrap(app, "run_action")
    meter.wrap(Screen, "_on_timer_update")


async def measure_keys(app: App[Any], meter: Meter, plan: list[tuple[str, str]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.pause()
        meter.take()
        for name, key in plan:
            await pilot.press(key)
            await pilot.pause()
            times.setdefault(name, []).append(meter.take() * 1000)
    return times


def annotator_plan(keys: int) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = []
    for i in range(keys):
        plan.append(("shift+right", "shift+right"))
        if i % 10 == 9:
            plan.append(("page down", "pagedown"))
            plan.append(("tag", "p" if i % 20 else "a"))
    return plan


def article_store(text: str, spans: list[Span], db: Path) -> Store:
    """The database of the one article ``long`` with ``spans`` in the layer ``bench``."""
    store = Store(db)
    store.documents.import_records(
        [ImportRecord(text=text, key="long", source="bench")], default_layer="bench"
    )
    doc = store.documents.id_of("long")
    with store.transaction():
        store.layers.ensure("bench")
        store.conn.executemany(
            'INSERT INTO spans (doc_id, layer, start, "end", label, source, created)'
            " VALUES (?, ?, ?, ?, ?, ?, 0)",
            [(doc, "bench", s.start, s.end, s.label, "manual") for s in spans],
        )
    return store


async def run_annotator(text: str, spans: list[Span], keys: int, db: Path) -> dict[str, list[float]]:
    store = article_store(text, spans, db)
    app = make_app(store, "bench")
    meter = Meter()
    instrument(app, meter)

    try:
        return await measure_keys(app, meter, annotator_plan(keys))
    finally:
        store.close()


class StyledTextArea(TextArea):
    """The alternative design: Textual's TextArea, read-only, spans styled through ``get_line``."""

    def __init__(self, text: str, spans: list[Span]) -> None:
        super().__init__(text, read_only=True, soft_wrap=True)
        self.spans = spans
        self.styles_by_label = {
            "ACTOR": Style(bgcolor="#e5a50a", color="black"),
            "PLACE": Style(bgcolor="#3584e4", color="black"),
            "EVENT": Style(bgcolor="#c061cb", color="black"),
        }
        self._line_starts = [0]
        for line in text.split("\n"):
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        start = self._line_starts[line_index]
        end = start + len(line.plain)
        for span in self.spans:
            if span.start < end and span.end > start:
                line.stylize(self.styles_by_label[span.label], max(span.start - start, 0), span.end - start)
        return line


class TextAreaApp(App[None]):
    def __init__(self, text: str, spans: list[Span]) -> None:
        super().__init__()
        self.text, self.spans = text, spans

    def compose(self) -> ComposeResult:
        yield StyledTextArea(self.text, self.spans)


async def run_textarea(text: str, spans: list[Span], keys: int) -> dict[str, list[float]]:
    app = TextAreaApp(text, spans)
    meter = Meter()
    instrument(app, meter)
    plan = [p for p in annotator_plan(keys) if p[0] != "tag"]
    return await measure_keys(app, meter, plan)


FIRST_FRAME = r"""
import sys, time, os
t0, report, screen_name, command = float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
from textual.app import App
original = App._display
def display(self, screen, renderable):
    original(self, screen, renderable)
    name, _, ready = screen_name.partition("+")  # "ReviewScreen+review": once screen.review is set
    if renderable is not None and type(screen).__name__ == name and (not ready or getattr(screen, ready)):
        with open(report, "w") as out:
            out.write(f"{time.time() - t0:.4f}")
        os._exit(0)
App._display = display
sys.argv = ["annotator", "--db", sys.argv[1], "--user", "bench", command]
from annotator.cli import main
main()
"""


def run_in_pty(argv: list[str], size: tuple[int, int], seconds: float) -> None:
    """Run ``argv`` in a pseudo-terminal of ``size`` (columns, rows), reading what it writes so that it
    never blocks writing, until it ends (at most ``seconds``)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    child = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    deadline = time.monotonic() + seconds
    while child.poll() is None and time.monotonic() < deadline:
        try:
            os.read(leader, 65536)
        except OSError:
            break
    child.wait(timeout=5)
    os.close(leader)


def first_frame(
    db: Path, runs: int = 5, screen: str = "AnnotateScreen", command: str = "annotate"
) -> list[float]:
    """Seconds from spawning ``annotator COMMAND`` to its first painted ``screen``, in a pseudo-terminal."""
    times = []
    report = db.with_suffix(".frame")
    for _ in range(runs):
        argv = [sys.executable, "-c", FIRST_FRAME, str(db), repr(time.time()), str(report), screen, command]
        run_in_pty(argv, SIZE, 60)
        times.append(float(report.read_text()))
    return times


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(values)
    return f"median {median:6.2f} ms  p95 {p95:6.2f} ms  worst {ordered[-1]:6.2f} ms  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--docs", type=int, default=100_000)
    args = parser.parse_args()
    text, spans = make_article()
    print(f"article: {len(text.split())} words, {len(text)} chars, {len(spans)} spans, {SIZE[0]}x{SIZE[1]}")
    with tempfile.TemporaryDirectory() as tmp:
        ours = asyncio.run(run_annotator(text, spans, args.keys, Path(tmp) / "tui.db"))
        theirs = asyncio.run(run_textarea(text, spans, args.keys))
        for name in ("shift+right", "page down", "tag"):
            print(f"ArticleView  {name:12s} {summary(ours[name])}")
            if name in theirs:
                print(f"TextArea     {name:12s} {summary(theirs[name])}")
                ratio = statistics.median(theirs[name]) / statistics.median(ours[name])
                print(f"             {name:12s} TextArea / ArticleView (medians): {ratio:.1f}x")
        seed_db = Path(tmp) / "seed.db"
        with Store(seed_db) as store:
            store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="bench")
        big_db = Path(tmp) / "big.db"
        with Store(big_db) as store:
            rng = random.Random(3)
            words = vocabulary()
            store.documents.import_records(
                (
                    ImportRecord(text=article(rng, words, 500) + f" #{i}", key=f"d{i}", source="bench")
                    for i in range(args.docs)
                ),
                default_layer="bench",
            )
        for name, db in (("seed database", seed_db), (f"{args.docs} documents", big_db)):
            frames = first_frame(db)
            print(
                f"first frame, {name:16s} median {statistics.median(frames):.3f} s  worst {max(frames):.3f} s"
            )


if __name__ == "__main__":
    main()
