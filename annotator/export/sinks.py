"""Where an export's bytes go: a file (replaced only once complete), standard output, or a brat folder.

A failure to write (disk full, no permission, read-only file system) is an ``AnnotatorError`` naming the
output, so that the command line shows one line.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from annotator.errors import AnnotatorError
from annotator.export.plan import PART_NAMES
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


def _failed(err: OSError, path: str | Path, exact: bool = False) -> AnnotatorError:
    """The error line for a failure to write ``path``; ``exact``: name ``path`` even when the failure
    names another file (a file's temporary name)."""
    where = path if exact or err.filename is None else err.filename
    return AnnotatorError(err.strerror or str(err), where)


def _make_folder(folder: Path) -> None:
    """``folder`` and its parents, or an error naming the file that is in the way."""
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise AnnotatorError("is a file, not a folder", ancestor)
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _failed(err, folder) from None


class _FileSink(Sink):
    """A regular file is written under a temporary name and renamed when complete, so that a failed
    export leaves the previous file as it was; so is the target of a symbolic link to a regular file (the
    link stays). Anything else that already exists (a device, a FIFO, ``/dev/fd/N``, a dangling link) is
    written in place: renaming would replace the device, FIFO or link with a regular file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self._temp: Path | None = None
        self._target = path
        try:
            if path.is_dir():
                raise AnnotatorError("is a folder; --out names a file for this format", path)
            real = Path(os.path.realpath(path)) if path.is_symlink() else path
            if (path.is_symlink() and not real.is_file()) or (path.exists() and not path.is_file()):
                self._stream: TextIO = path.open("w", encoding="utf-8", newline="\n")
                return
            _make_folder(real.parent)
            self._target = real  # a link to a regular file: its target, renamed onto, the link kept
            self._temp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
            self._stream = self._temp.open("w", encoding="utf-8", newline="\n")
        except OSError as err:
            raise _failed(err, path, exact=True) from None

    def write_text(self, chunk: str) -> None:
        try:
            self._stream.write(chunk)
        except OSError as err:
            raise _failed(err, self.path, exact=True) from None

    def write_bytes(self, data: bytes) -> None:
        try:
            self._stream.flush()
            self._stream.buffer.write(data)
        except OSError as err:
            raise _failed(err, self.path, exact=True) from None

    def close(self) -> None:
        try:
            self._stream.close()
            if self._temp is not None:
                os.replace(self._temp, self._target)
        except OSError as err:
            self.abort()
            raise _failed(err, self.path, exact=True) from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # already failing; the first error is the one reported
            self._stream.close()
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


class _StdoutSink(Sink):
    name = "standard output"

    def __init__(self) -> None:
        sys.stdout.flush()
        self._stream: BinaryIO = sys.stdout.buffer

    def write_text(self, chunk: str) -> None:
        try:
            self._stream.write(chunk.encode("utf-8"))
        except OSError as err:
            raise _failed(err, self.name) from None

    def write_bytes(self, data: bytes) -> None:
        try:
            self._stream.write(data)
        except OSError as err:
            raise _failed(err, self.name) from None

    def close(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            raise _failed(err, self.name) from None


class _BratSink(Sink):
    """``KEY.txt`` and ``KEY.ann`` per document in a folder, and an ``annotation.conf`` naming the labels.

    The folder may hold a previous brat export, which is replaced: its ``.txt``/``.ann`` files and
    ``annotation.conf`` are removed first. Any other file there is not ours to remove, and is an error.
    """

    def __init__(self, folder: Path, labels: Sequence[str]) -> None:
        if folder.exists() and not folder.is_dir():
            raise AnnotatorError("is a file; brat and --split write a folder", folder)
        self.folder = folder
        self.name = f"{folder}{os.sep}"
        self._labels = labels
        previous = _previous_brat_export(folder)
        _make_folder(folder)
        _remove(previous, folder)

    def write_pair(self, key: str, text: str, annotations: str) -> None:
        stem = file_stem(key)
        try:
            (self.folder / f"{stem}.txt").write_text(text, encoding="utf-8", newline="")
            (self.folder / f"{stem}.ann").write_text(annotations, encoding="utf-8", newline="")
        except OSError as err:
            raise _failed(err, self.folder) from None

    def close(self) -> None:
        try:
            conf = brat.annotation_conf(self._labels)
            (self.folder / brat.CONF_NAME).write_text(conf, encoding="utf-8")
        except OSError as err:
            raise _failed(err, self.folder) from None


def _previous_brat_export(folder: Path) -> list[Path]:
    """The files of a previous brat export in ``folder`` (``.txt``, ``.ann``, ``annotation.conf``); an
    error when anything else is there, which is not ours to remove."""
    if not folder.is_dir():
        return []
    try:
        entries = sorted(folder.iterdir())
    except OSError as err:
        raise _failed(err, folder) from None
    ours = [p for p in entries if p.is_file() and (p.suffix in (".txt", ".ann") or p.name == brat.CONF_NAME)]
    others = [p for p in entries if p not in ours]
    if others:
        raise AnnotatorError(
            f"holds {others[0].name!r}, which a brat export does not write; a brat export replaces only a"
            " previous one (.txt/.ann files and annotation.conf): give an empty or new folder",
            folder,
        )
    return ours


def _remove(paths: Sequence[Path], folder: Path) -> None:
    try:
        for path in paths:
            path.unlink(missing_ok=True)
    except OSError as err:
        raise _failed(err, folder) from None


def _remove_other_parts(fmt: Format, out: Path, names: Sequence[str]) -> None:
    """A split replaces the previous one: the parts of this format it does not write are removed, so that
    no old ``test`` file is left beside a new two-part split."""
    for name in PART_NAMES:
        if name in names:
            continue
        if fmt.writes_folder:
            folder = out / name
            _remove(_previous_brat_export(folder), folder)
            try:
                if folder.is_dir():
                    folder.rmdir()
            except OSError as err:
                raise _failed(err, folder) from None
        else:
            _remove([out / f"{name}{fmt.part_suffix}"], out)


def open_sinks(fmt: Format, out: Path, names: Sequence[str], labels: Sequence[str]) -> list[Sink]:
    """The outputs, one per part; a split first checks every brat folder, then removes the old parts."""
    if names != ("",) and str(out) != "-":
        if out.exists() and not out.is_dir():
            raise AnnotatorError("is a file; --split writes a folder", out)
        if fmt.writes_folder:
            for name in PART_NAMES:
                _previous_brat_export(out / name)
        _remove_other_parts(fmt, out, names)
    sinks: list[Sink] = []
    try:
        for name in names:
            sinks.append(_open_sink(fmt, out, name, labels))
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    return sinks


def _open_sink(fmt: Format, out: Path, name: str, labels: Sequence[str]) -> Sink:
    """The output for one part (``name`` is ``train``, ``dev``, ``test``, or empty without --split)."""
    if str(out) == "-":
        if name or fmt.writes_folder:
            raise AnnotatorError("brat and --split write a folder, not standard output; give --out FOLDER")
        return _StdoutSink()
    if fmt.writes_folder:
        return _BratSink(out / name if name else out, labels)
    if name:
        return _FileSink(out / f"{name}{fmt.part_suffix}")
    return _FileSink(out)
