"""Where an export's bytes go: a file, standard output, or a folder (brat's pairs, a split's parts).

Nothing is written onto the output until the export is complete (see :mod:`annotator.export.files`:
what may be replaced, temporary names, swapping a folder in whole). A failure to write (disk full, no
permission, read-only file system) is an ``AnnotatorError`` naming the output, so that the command line
shows one line, and leaves the previous export as it was.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from annotator.errors import AnnotatorError
from annotator.export.files import FileTarget, FolderTarget, Guard, failed
from annotator.formats import Format, brat
from annotator.formats.names import file_stem


class Sink:
    """One output: a file, standard output, or a brat folder. ``name`` is what the summary shows."""

    name: str

    def write_text(self, chunk: str) -> None:
        raise NotImplementedError

    def write_pair(self, key: str, text: str, annotations: str) -> None:
        raise NotImplementedError

    def write_bytes(self, data: bytes) -> None:
        """A binary format's whole file (spaCy's DocBin), after no text."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class _StreamSink(Sink):
    """A text stream on a file descriptor: the output file's temporary name, a part in a split folder
    being written, or a FIFO or device written in place."""

    def __init__(self, fd: int, name: str, where: Path) -> None:
        self.name = name
        self._where = where
        self._stream: TextIO = open(fd, "w", encoding="utf-8", newline="\n", closefd=True)  # noqa: SIM115

    def write_text(self, chunk: str) -> None:
        try:
            self._stream.write(chunk)
        except OSError as err:
            raise failed(err, self._where) from None

    def write_bytes(self, data: bytes) -> None:
        try:
            self._stream.flush()
            self._stream.buffer.write(data)
        except OSError as err:
            raise failed(err, self._where) from None

    def close(self) -> None:
        try:
            self._stream.close()
        except OSError as err:
            raise failed(err, self._where) from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # already failing; the first error is the one reported
            self._stream.close()


class _StdoutSink(Sink):
    name = "standard output"

    def __init__(self) -> None:
        sys.stdout.flush()
        self._stream: BinaryIO = sys.stdout.buffer

    def write_text(self, chunk: str) -> None:
        try:
            self._stream.write(chunk.encode("utf-8"))
        except OSError as err:
            raise failed(err, self.name) from None

    def write_bytes(self, data: bytes) -> None:
        try:
            self._stream.write(data)
        except OSError as err:
            raise failed(err, self.name) from None

    def close(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            raise failed(err, self.name) from None


class _BratSink(Sink):
    """``KEY.txt`` and ``KEY.ann`` per document, and an ``annotation.conf`` naming the labels, in the
    folder being written (``part``: a split's part folder in it)."""

    def __init__(self, target: FolderTarget, part: str, labels: Sequence[str]) -> None:
        self._target = target
        self._prefix = f"{part}/" if part else ""
        self.name = f"{target.shown / part if part else target.shown}{os.sep}"
        self._labels = labels

    def write_pair(self, key: str, text: str, annotations: str) -> None:
        stem = file_stem(key)
        self._target.write(f"{self._prefix}{stem}.txt", text)
        self._target.write(f"{self._prefix}{stem}.ann", annotations)

    def close(self) -> None:
        self._target.write(f"{self._prefix}{brat.CONF_NAME}", brat.annotation_conf(self._labels))


class Output:
    """An export's sinks (one per part) and where they go: ``commit`` puts the whole export in place
    once every sink is closed; ``abort`` leaves the previous one as it was."""

    def __init__(self, sinks: list[Sink], target: FileTarget | FolderTarget | None) -> None:
        self.sinks = sinks
        self._target = target

    def commit(self) -> None:
        try:
            for sink in self.sinks:
                sink.close()
            if self._target is not None:
                self._target.commit()
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        for sink in self.sinks:
            sink.abort()
        if self._target is not None:
            self._target.abort()


def open_output(fmt: Format, out: Path, names: Sequence[str], labels: Sequence[str], guard: Guard) -> Output:
    """The outputs, one per part (``names`` is ``("",)`` without --split), checked before anything is
    written: standard output, one file, or a folder written whole (brat, or a split)."""
    if str(out) == "-":
        if names != ("",) or fmt.writes_folder:
            raise AnnotatorError("brat and --split write a folder, not standard output; give --out FOLDER")
        return Output([_StdoutSink()], None)
    if names == ("",) and not fmt.writes_folder:
        file_target = FileTarget(out, guard)
        fd, _ = file_target.open()
        return Output([_StreamSink(fd, str(out), out)], file_target)
    folder = FolderTarget(out, guard)
    sinks: list[Sink] = []
    output = Output(sinks, folder)
    try:
        for name in names:
            if fmt.writes_folder:
                sinks.append(_BratSink(folder, name, labels))
            else:
                part = f"{name}{fmt.part_suffix}"
                sinks.append(_StreamSink(folder.create(part), str(out / part), out))
    except BaseException:
        output.abort()
        raise
    return output
