"""Key-to-screen time of the real app in tmux, side by side with SLATE (jkkummerfeld/slate, a curses
annotation tool) on the same article, in one run.

What is measured: both apps run in one private tmux server (one window each, 120x40, ``window-size
manual``), watched by one tmux control-mode client. For each key the bench writes ``send-keys`` to that
client and timestamps it; tmux writes the key to the app's terminal; the app draws; tmux reads what the
app wrote and reports it as ``%output`` lines, which a reader thread timestamps as they arrive. The
figure per key is from the ``send-keys`` to the last ``%output`` before the apps' terminals have been
quiet for ``--quiet`` ms: the whole frame the key caused is in tmux's screen then (``first`` is the
time to its first byte). tmux's own work (parsing the command, the key, the output) is in both apps'
figures alike. The keys alternate between the apps, key by key, so both see the same machine.

The article: ``bench/tui.py``'s, 20,000 words with 2,000 spans in our database; SLATE opens the same
text as a file (``-t categorical -s token``), with no annotations.

    .venv/bin/python bench/tmux_latency.py --slate /tmp/slate [--keys 100] [--pages 30] [--retrain]

``--retrain``: every other round runs while a model trains beside the apps, as the annotation screen
retrains after a document is marked done: ``annotator train`` at nice 15, looping, on a database
holding the dev corpus as gold (``../shared/corpus/gum_dev.jsonl``: its 22 documents, about what a
team's retrain trains on). Both apps' keys are reported with and without it, in the same run.

SLATE is not part of this repository: clone it anywhere (``git clone
https://github.com/jkkummerfeld/slate /tmp/slate``) and name the folder.
"""

from __future__ import annotations

import argparse
import bisect
import os
import queue
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.frame_probe import read_log
from bench.tui import article_store, make_article

SIZE = (120, 40)
WORDS_ASKED = 21_250
"""Asked of ``bench/tui.py``'s article maker for 20,000 words (it counts 6 characters a word)."""
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "gum_dev.jsonl"
ECHO = "stty raw -echo && exec cat"
"""The floor: a key written straight back (tmux, the terminal and the bench's own share of a figure)."""
HOLD = "sleep 100000"
"""What a window runs until the app replaces it (``respawn-pane``)."""


class ControlClient:
    """A tmux control-mode client: commands in, ``%output`` lines (per pane, timestamped) out."""

    def __init__(self, socket: str, session: str) -> None:
        self.process = subprocess.Popen(
            ["tmux", "-L", socket, "-C", "attach", "-t", session],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )  # buffered: an unbuffered pipe is read a byte at a time, milliseconds for a big frame
        self.outputs: queue.Queue[tuple[float, str, int]] = queue.Queue()
        self.written = 0
        """Bytes (as tmux escapes them) the pane wrote for the last key."""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            now = time.perf_counter()
            if line.startswith(b"%output "):
                pane, _, data = line[8:].partition(b" ")
                self.outputs.put((now, pane.decode(), len(data)))

    def send(self, command: str) -> float:
        assert self.process.stdin is not None
        sent = time.perf_counter()
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()
        return sent

    def drain(self) -> int:
        """Throw away what came so far; how many outputs that was."""
        count = 0
        while True:
            try:
                self.outputs.get_nowait()
                count += 1
            except queue.Empty:
                return count

    def quiet(self, seconds: float, limit: float = 120.0) -> None:
        """Wait until no pane has written for ``seconds``."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                self.outputs.get(timeout=seconds)
            except queue.Empty:
                return
        raise SystemExit(f"the panes never went quiet for {seconds} s")

    def key(self, pane: str, key: str, quiet: float) -> tuple[float, float, float] | None:
        """Send ``key`` to ``pane``: when it was sent, and when its first and last output came (None: it
        drew nothing)."""
        sent = self.send(f"send-keys -t {pane} {key}")
        first = last = None
        self.written = 0
        wait = 2.0
        while True:
            try:
                at, where, size = self.outputs.get(timeout=wait)
            except queue.Empty:
                break
            if where != pane:
                continue
            first = at if first is None else first
            last = at
            self.written += size
            wait = quiet
        return None if first is None or last is None else (sent, first, last)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=5)


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slate", type=Path, required=True, help="A checkout of jkkummerfeld/slate.")
    parser.add_argument("--keys", type=int, default=100, help="Right and shift+right keys, per app.")
    parser.add_argument("--pages", type=int, default=30, help="Page downs (then as many page ups) a round.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quiet", type=float, default=40.0, help="ms without output that end a frame.")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--retrain", action="store_true", help="Every other round with a model training.")
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="What --retrain's database holds, as gold."
    )
    args = parser.parse_args()
    quiet = args.quiet / 1000

    folder = Path(tempfile.mkdtemp(prefix="tmux-latency-"))
    text, spans = make_article(words=WORDS_ASKED)
    article_store(text, spans, folder / "bench.db").close()
    (folder / "article.txt").write_text(text, encoding="utf-8")
    words = len(text.split())
    print(f"article: {words} words, {len(spans)} spans (ours), {SIZE[0]}x{SIZE[1]}, {tmux_version()}")

    probe = folder / "probe.log"
    ours = (
        f"cd {shlex.quote(str(ROOT))} && PYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(args.python)}"
        f" -m bench.frame_probe {shlex.quote(str(probe))}"
        f" --db {shlex.quote(str(folder / 'bench.db'))} --user bench annotate"
    )
    slate = (
        f"cd {shlex.quote(str(args.slate))} && exec {shlex.quote(args.python)} -m slate"
        f" {shlex.quote(str(folder / 'article.txt'))} -t categorical -s token -o"
        f" -l {shlex.quote(str(folder / 'slate-log'))}"
    )
    socket = f"latency-{os.getpid()}"
    width, height = SIZE
    tmux(socket, "new-session", "-d", "-s", "bench", "-n", "ours", "-x", str(width), "-y", str(height), HOLD)
    try:
        tmux(socket, "set", "-g", "default-terminal", "tmux-256color")
        tmux(socket, "new-window", "-d", "-t", "bench:", "-n", "slate", HOLD)
        tmux(socket, "new-window", "-d", "-t", "bench:", "-n", "echo", HOLD)
        tmux(socket, "set", "-g", "window-size", "manual")  # after new-window: tmux 3.3a crashes else
        panes = {}
        for name, command in (("ours", ours), ("slate", slate), ("echo", ECHO)):
            tmux(socket, "resize-window", "-t", f"bench:{name}", "-x", str(width), "-y", str(height))
            panes[name] = tmux(socket, "display", "-p", "-t", f"bench:{name}", "#{pane_id}")
            tmux(socket, "respawn-pane", "-k", "-t", panes[name], command)
        client = ControlClient(socket, "bench")
        pids = [int(tmux(socket, "display", "-p", "-t", pane, "#{pane_pid}")) for pane in panes.values()]
        settle(pids)  # both up, our proposals computed
        client.quiet(1.0)
        if args.retrain:
            trainer = Trainer(args.python, folder / "train.db", args.corpus)
            by_condition: dict[str, dict[str, Series]] = {"no retrain": {}, "a retrain running": {}}
            for round_ in range(args.rounds * 2):
                training = round_ % 2 == 1
                if training:
                    trainer.start()
                one = measure(client, panes, args.keys, args.pages, 1, quiet)
                if training:
                    trainer.stop()
                    client.quiet(1.0)
                merge(by_condition["a retrain running" if training else "no retrain"], one)
            print(f"retrains finished during the measured rounds: {trainer.finished}")
        else:
            by_condition = {"": measure(client, panes, args.keys, args.pages, args.rounds, quiet)}
        client.close()
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], check=False, capture_output=True)
    for condition, results in by_condition.items():
        if condition:
            print(f"\n### {condition}")
        report(results, probe)


def merge(into: dict[str, Series], more: dict[str, Series]) -> None:
    for name, series in more.items():
        for what, timings in series.items():
            into.setdefault(name, {}).setdefault(what, []).extend(timings)


class Trainer:
    """``annotator train`` looping in the background at nice 15, the command the annotation screen's
    retrain runs (``annotator.tui.workers``), on a database of its own holding ``corpus`` as gold."""

    def __init__(self, python: str, db: Path, corpus: Path) -> None:
        self._command = ["nice", "-n", "15", python, "-m", "annotator", "--db", str(db), "--user", "bench"]
        subprocess.run(
            [*self._command, "import", str(corpus), "--as", "gold"], check=True, capture_output=True, cwd=ROOT
        )
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = 0

    def start(self) -> None:
        self._running.set()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        time.sleep(1.0)  # its interpreter up and training

    def _loop(self) -> None:
        while self._running.is_set():
            done = subprocess.run([*self._command, "train"], capture_output=True, text=True, cwd=ROOT)
            if done.returncode:
                raise SystemExit(f"annotator train failed: {done.stderr.strip().splitlines()[-1:]}")
            self.finished += 1

    def stop(self) -> None:
        self._running.clear()
        if self._thread is not None:
            self._thread.join()  # the retrain under way ends first: the next round starts quiet


def settle(pids: list[int], limit: float = 120.0) -> None:
    """Wait until the processes have used no more than a tick of CPU in a second (both drawn, our
    proposals computed in their thread)."""

    def ticks(pid: int) -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    deadline = time.monotonic() + limit
    time.sleep(2.0)
    while time.monotonic() < deadline:
        before = [ticks(pid) for pid in pids]
        time.sleep(1.0)
        if all(ticks(pid) - used <= 1 for pid, used in zip(pids, before, strict=True)):
            return
    raise SystemExit("the apps never went idle")


def tmux_version() -> str:
    return subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()


Series = dict[str, list[tuple[float, float, float]]]
"""By key: when each was sent, and its first and last output came."""

PLAN_KEYS = {
    # what: (our key, SLATE's key)
    "page down": ("PageDown", "NPage"),
    "page up": ("PageUp", "PPage"),
    "right (cursor move)": ("Right", "Right"),
    "extend right (ours shift+right, SLATE /)": ("S-Right", "/"),
}
ECHO_KEY = "x"


def measure(
    client: ControlClient, panes: dict[str, str], keys: int, pages: int, rounds: int, quiet: float
) -> dict[str, Series]:
    results: dict[str, Series] = {name: {} for name in panes}
    missed: dict[str, int] = dict.fromkeys(panes, 0)
    written: dict[str, dict[str, list[int]]] = {name: {} for name in panes}

    def press(what: str) -> None:
        for name, pane in panes.items():
            key = ECHO_KEY if name == "echo" else PLAN_KEYS[what][0 if name == "ours" else 1]
            client.drain()
            timing = client.key(pane, key, quiet)
            if timing is None:
                missed[name] += 1
            else:
                results[name].setdefault(what, []).append(timing)
                written[name].setdefault(what, []).append(client.written)
            time.sleep(0.01)

    for _ in range(rounds):
        for what in ("page down", "page up"):
            for _ in range(pages):
                press(what)
        for what in ("extend right (ours shift+right, SLATE /)", "right (cursor move)"):
            for _ in range(keys):
                press(what)
    for name, by_key in written.items():
        print(
            f"{name}: bytes per key (median, as tmux escapes them):",
            ", ".join(
                f"{what.split(' (')[0]} {statistics.median(sizes):.0f}" for what, sizes in by_key.items()
            ),
        )
    for name, count in missed.items():
        if count:
            print(f"{name}: {count} keys drew nothing (not counted)")
    return results


def in_app(timings: list[tuple[float, float, float]], probe: Path) -> list[float]:
    """Per key, ms from its arrival in our app (parsed by Textual's input thread) to the start of the
    writing of the last frame the app wrote before tmux's last output of it (``bench/frame_probe.py``)."""
    arrived, flushed = read_log(probe)
    spent = []
    for sent, _, last in timings:
        start = arrived[bisect.bisect_left(arrived, sent)]
        frames = flushed[bisect.bisect_left(flushed, start) : bisect.bisect_right(flushed, last)]
        if frames:
            spent.append((frames[-1] - start) * 1000)
    return spent


def report(results: dict[str, Series], probe: Path) -> None:
    print(f"{'key':44} {'app':6} {'n':>4} {'median':>8} {'p95':>8} {'first':>8}  (ms, from send-keys)")
    medians: dict[tuple[str, str], float] = {}
    for what in PLAN_KEYS:
        for name, series in results.items():
            timings = series.get(what, [])
            if not timings:
                continue
            last = [(t[2] - t[0]) * 1000 for t in timings]
            first = [(t[1] - t[0]) * 1000 for t in timings]
            medians[what, name] = statistics.median(last)
            figures = f"{statistics.median(last):8.2f} {percentile(last, 0.95):8.2f}"
            print(f"{what:44} {name:6} {len(last):>4} {figures} {statistics.median(first):8.2f}")
        inside = in_app(results["ours"].get(what, []), probe)
        if inside:
            print(
                f"{'  of which in our app (key parsed to frame written)':51} {len(inside):>4}"
                f" {statistics.median(inside):8.2f} {percentile(inside, 0.95):8.2f}"
            )
    extend, move = ("extend right (ours shift+right, SLATE /)", "ours"), ("right (cursor move)", "slate")
    if extend in medians and move in medians:
        print(
            f"our shift+right minus SLATE's cursor move (medians): {medians[extend] - medians[move]:+.2f} ms"
        )


if __name__ == "__main__":
    main()
