"""Run ``annotator`` with the moments its keys arrive and its frames are written timed into a log, for
``bench/tmux_latency.py`` to split a key's time into the app's part and the terminal's.

Each line of the log: ``key TIME KEY`` when Textual's input thread has parsed a key, ``frame TIME
CHARACTERS`` when the writer thread began writing a frame to the terminal (TIME:
``time.perf_counter()``, the system's monotonic clock, the same in every process on Linux, so the
bench compares it with its own).
Only the bench uses it; the app itself is unchanged.

    python -m bench.frame_probe LOG --db DB --user U annotate
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import IO, Any


class TimedFile:
    """A file whose flushes are logged: when the first write since the last flush began (the moment the
    app hands a frame to the terminal; tmux may have read part of it before the flush returns), and the
    characters written."""

    def __init__(self, file: IO[str], log: IO[str]) -> None:
        self._file = file
        self._log = log
        self._written = 0
        self._started = 0.0

    def write(self, text: str) -> int:
        if not self._written:
            self._started = time.perf_counter()
        self._written += len(text)
        return self._file.write(text)

    def flush(self) -> None:
        self._file.flush()
        if self._written:
            self._log.write(f"frame {self._started:.6f} {self._written}\n")
            self._written = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def install(log_path: Path) -> None:
    from textual import events
    from textual.drivers import _writer_thread, linux_driver

    log = log_path.open("a", buffering=1, encoding="utf-8")
    process_message = linux_driver.LinuxDriver.process_message

    def timed_process_message(self: Any, message: Any) -> None:
        if isinstance(message, events.Key):
            log.write(f"key {time.perf_counter():.6f} {message.key}\n")
        process_message(self, message)

    writer_init = _writer_thread.WriterThread.__init__

    def timed_writer_init(self: Any, file: IO[str]) -> None:
        writer_init(self, TimedFile(file, log))  # type: ignore[arg-type]

    linux_driver.LinuxDriver.process_message = timed_process_message  # type: ignore[method-assign]
    _writer_thread.WriterThread.__init__ = timed_writer_init  # type: ignore[method-assign]


def read_log(path: Path) -> tuple[list[float], list[float]]:
    """The times keys arrived and frames were flushed."""
    keys, frames = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        kind, at, _ = line.split(" ", 2)
        (keys if kind == "key" else frames).append(float(at))
    return keys, frames


if __name__ == "__main__":
    install(Path(sys.argv[1]))
    sys.argv = ["annotator", *sys.argv[2:]]
    from annotator.cli import main

    main()
