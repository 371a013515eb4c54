"""Writing an export without destroying a file: what may be replaced, temporary names, whole swaps.

- An export never writes onto the database, its WAL or journal, or its KB index folder, even with
  ``--force``; a folder export never replaces a folder holding them.
- A regular file already at the output path is replaced only when an export of this database wrote it
  and nobody changed it since (``export_files`` in the database says how it was), or with ``--force``.
  It keeps its permissions.
- A symbolic link at the output path is never written through (its target would be replaced): an
  error, except a link to a FIFO, device or socket (``/dev/stdout``, ``/dev/fd/N``), which is written
  into, as a FIFO or device itself is. Nothing is renamed onto those.
- A file is written under a temporary name made by ``tempfile`` in its own folder (``O_EXCL``, random,
  mode 600 while written) and renamed onto the output when complete; a folder (brat, ``--split``) is
  written whole beside the old one and swapped in with one ``renameat2(RENAME_EXCHANGE)`` where the
  file system has it (else two renames). The folder holds a manifest, :data:`MANIFEST`, of every file
  written and how it was; a later export replaces the folder only when everything in it is in the
  manifest, unchanged (changed files: only with ``--force``). Anything else there was not written by
  this tool and is never removed: the export is refused.
- Temporary files and folders left by a killed export (their names hold its process id) are removed by
  the next export to the same place once that process is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.leftovers import writer_running

MANIFEST = ".annotator-export.json"
FILE_TEMP = ".annotator-tmp"
NEW_FOLDER = ".annotator-new"
OLD_FOLDER = ".annotator-old"

Stamp = tuple[int, int, int, int]
"""A file as written: device, inode, size, modification time in nanoseconds."""


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Guard:
    """What an export may replace. ``protected``: the database's files and index folder (resolved);
    ``written``/``remember`` read and record the files this database's exports wrote."""

    protected: tuple[Path, ...] = ()
    force: bool = False
    written: Callable[[str], Stamp | None] = lambda path: None
    remember: Callable[[str, Stamp], bool] = lambda path, stamp: False


def database_files(db: Path) -> tuple[Path, ...]:
    """The database file, its WAL, shared-memory and journal files and its KB index folder, resolved."""
    real = Path(os.path.realpath(db))
    return (
        real,
        *(real.with_name(real.name + suffix) for suffix in ("-wal", "-shm", "-journal", ".kbindex")),
    )


def failed(err: OSError, path: str | Path) -> AnnotatorError:
    return AnnotatorError(err.strerror or str(err), path)


def refuse_protected(out: Path, guard: Guard, folder: bool) -> None:
    """An error when ``out`` is (or is inside) the database's files, or, for a folder output, holds them."""
    real = Path(os.path.realpath(out))
    for path in guard.protected:
        if real == path or path in real.parents or (folder and real in path.parents):
            what = "holds" if real != path and real in path.parents else "is"
            raise AnnotatorError(
                f"{what} the project database or its WAL or index ({path.name}); an export never writes"
                " there, even with --force: give another --out",
                out,
            )


def umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def make_folder(folder: Path) -> None:
    """``folder`` and its parents, or an error naming the file that is in the way."""
    for ancestor in (folder, *folder.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise AnnotatorError("is a file, not a folder", ancestor)
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise failed(err, err.filename or folder) from None


def remove_stale(parent: Path, name: str) -> None:
    """Temporary files and folders a killed export of ``name`` left in ``parent``: removed once the
    process that made them (its id is in their name) is gone, and only when they are ours (our uid)."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.name.endswith((FILE_TEMP, NEW_FOLDER, OLD_FOLDER)):
            continue
        pid_text = entry.name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or writer_running(int(pid_text)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if st.st_uid != os.getuid():
                continue
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue  # not ours to remove after all, or gone already


# --- one file ------------------------------------------------------------------------------------------


class FileTarget:
    """The output file ``path``: checked, then written under a temporary name and renamed onto it
    (``commit``), or written in place when it is a FIFO, a device or a socket (or a link to one)."""

    def __init__(self, path: Path, guard: Guard) -> None:
        self.path = path
        self.guard = guard
        self.temp: Path | None = None
        self.in_place = False
        refuse_protected(path, guard, folder=False)
        st = _lstat(path)
        mode = 0o666 & ~umask()
        if st is not None and stat.S_ISLNK(st.st_mode):
            target = _stat_or_none(path)
            if target is None or stat.S_ISREG(target.st_mode) or stat.S_ISDIR(target.st_mode):
                raise AnnotatorError(
                    "is a symbolic link; an export does not write through links (it would replace what"
                    f" the link points at): give {os.path.realpath(path)} itself, or another --out",
                    path,
                )
            self.in_place = True
        elif st is not None and stat.S_ISDIR(st.st_mode):
            raise AnnotatorError("is a folder; --out names a file for this format", path)
        elif st is not None and stat.S_ISREG(st.st_mode):
            if not guard.force and guard.written(os.path.realpath(path)) != stamp_of(st):
                raise AnnotatorError(
                    "already exists, and it is not a file an export of this database wrote (or it has"
                    " changed since); --force replaces it",
                    path,
                )
            mode = stat.S_IMODE(st.st_mode)
        elif st is not None:
            self.in_place = True  # a FIFO, a device, a socket
        self.mode = mode

    def open(self) -> tuple[int, Path]:
        """A file descriptor to write to, and the name it has while written."""
        if self.in_place:
            try:
                return os.open(self.path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC), self.path
            except OSError as err:
                raise failed(err, self.path) from None
        parent = self.path.parent
        make_folder(parent)
        remove_stale(parent, self.path.name)
        try:
            fd, temp = tempfile.mkstemp(
                dir=parent, prefix=f".{self.path.name}.{os.getpid()}.", suffix=FILE_TEMP
            )
        except OSError as err:
            raise failed(err, self.path) from None
        self.temp = Path(temp)
        with contextlib.suppress(OSError):  # a file system without modes: its own
            os.fchmod(fd, self.mode)
        return fd, self.temp

    def commit(self) -> None:
        """The temporary file renamed onto the output (the caller has flushed and closed it), and
        recorded as written by this database's export."""
        if self.temp is None:
            return
        try:
            _fsync(self.temp)
            os.replace(self.temp, self.path)
        except OSError as err:
            self.abort()
            raise failed(err, self.path) from None
        self.temp = None
        with contextlib.suppress(OSError):
            self.guard.remember(os.path.realpath(self.path), stamp_of(os.stat(self.path)))

    def abort(self) -> None:
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.temp = None


def _lstat(path: Path) -> os.stat_result | None:
    """``path``'s own status, None when it does not exist; a file in the way of its folder is an
    error naming that file."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        make_folder(path.parent)
        raise
    except OSError as err:
        raise failed(err, path) from None


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- a whole folder ------------------------------------------------------------------------------------


class FolderTarget:
    """The output folder ``out`` (brat, ``--split``): checked, written whole under a temporary name
    beside it, then swapped in (``commit``); the previous folder, everything in it written by an export,
    removed after. ``new`` is where the caller writes."""

    def __init__(self, shown: Path, guard: Guard) -> None:
        self.shown = shown
        self.out = out = Path(os.path.abspath(shown))  # "." renamed as the folder it is
        self.guard = guard
        refuse_protected(shown, guard, folder=True)
        st = _lstat(shown)
        self.previous: dict[str, list[int]] | None = None
        mode = 0o777 & ~umask()
        if st is not None:
            if stat.S_ISLNK(st.st_mode):
                raise AnnotatorError(
                    "is a symbolic link; an export does not write through links (it would replace the"
                    f" folder it points at): give {os.path.realpath(out)} itself, or another --out",
                    shown,
                )
            if not stat.S_ISDIR(st.st_mode):
                raise AnnotatorError("is a file; brat and --split write a folder", shown)
            self.previous = previous_export(shown, guard.force)
            mode = stat.S_IMODE(st.st_mode)
        parent = out.parent
        make_folder(parent)
        remove_stale(parent, out.name)
        try:
            self.new = Path(
                tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.{os.getpid()}.", suffix=NEW_FOLDER)
            )
            os.chmod(self.new, mode)
        except OSError as err:
            raise failed(err, shown) from None
        self.written: dict[str, list[int]] = {}

    def create(self, relative: str) -> int:
        """A new file in the folder being written (``O_EXCL``: two documents never share one)."""
        path = self.new / relative
        try:
            if "/" in relative and not path.parent.is_dir():
                path.parent.mkdir(parents=True)
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            raise AnnotatorError(
                f"two documents' keys give the same file name {relative!r}; rename one", self.shown
            ) from None
        except OSError as err:
            raise failed(err, self.shown) from None

    def write(self, relative: str, text: str) -> None:
        fd = self.create(relative)
        try:
            with open(fd, "w", encoding="utf-8", newline="", closefd=True) as stream:
                stream.write(text)
        except OSError as err:
            raise failed(err, self.shown) from None

    def commit(self) -> None:
        """Write the manifest, then swap the new folder in and remove the old one."""
        try:
            files: dict[str, list[int]] = {}
            for root, _, names in os.walk(self.new):
                for name in names:
                    full = os.path.join(root, name)
                    st = os.lstat(full)
                    files[os.path.relpath(full, self.new)] = [st.st_size, st.st_mtime_ns]
            manifest = {"written_by": "annotator export", "files": dict(sorted(files.items()))}
            with open(self.new / MANIFEST, "x", encoding="utf-8") as stream:
                json.dump(manifest, stream, indent=0)
                stream.write("\n")
            if self.previous is None:
                os.rename(self.new, self.out)
                return
        except OSError as err:
            self.abort()
            raise failed(err, self.shown) from None
        old = self.new.with_name(self.new.name.removesuffix(NEW_FOLDER) + OLD_FOLDER)
        try:
            if not exchange(self.new, self.out):
                os.rename(self.out, old)
                os.rename(self.new, self.out)
                self.new = old
        except OSError as err:
            self.abort()
            raise failed(err, self.shown) from None
        # self.new now holds the previous export: remove what the manifest lists, and nothing else.
        remove_export(self.new, self.previous)

    def abort(self) -> None:
        if self.new.exists() and self.new.name.endswith(NEW_FOLDER):
            shutil.rmtree(self.new, ignore_errors=True)


def previous_export(folder: Path, force: bool) -> dict[str, list[int]]:
    """The files of the previous export in ``folder``, by its manifest; an error when ``folder`` holds
    anything the manifest does not list (not ours to remove) or, without ``force``, a file changed since
    it was written. An empty folder is an empty export."""
    manifest_path = folder / MANIFEST
    listed: dict[str, list[int]] = {}
    if manifest_path.is_file():
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
            listed = {str(k): [int(v[0]), int(v[1])] for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise AnnotatorError(
                f"its {MANIFEST} (the list of files an export wrote) is unreadable; remove the folder"
                " yourself or give another --out",
                folder,
            ) from None
    parents = {os.path.dirname(name) for name in listed}
    parents |= {p for name in list(parents) for p in _ancestors(name)}
    try:
        for root, dirs, names in os.walk(folder):
            for name in dirs + names:
                full = os.path.join(root, name)
                relative = os.path.relpath(full, folder)
                st = os.lstat(full)
                if relative == MANIFEST:
                    continue
                if stat.S_ISDIR(st.st_mode) and relative in parents:
                    continue
                if relative not in listed or not stat.S_ISREG(st.st_mode):
                    raise AnnotatorError(
                        f"holds {relative!r}, which no export wrote; an export replaces only a previous"
                        " export (the files its manifest lists) and never removes anything else: give"
                        " an empty or new folder",
                        folder,
                    )
                if not force and [st.st_size, st.st_mtime_ns] != listed[relative]:
                    raise AnnotatorError(
                        f"{relative!r} has changed since the export wrote it; --force replaces it",
                        folder,
                    )
    except OSError as err:
        raise failed(err, folder) from None
    return listed


def _ancestors(relative: str) -> list[str]:
    found = []
    while relative:
        found.append(relative)
        relative = os.path.dirname(relative)
    return found


def remove_export(folder: Path, listed: dict[str, list[int]]) -> None:
    """Remove the files ``listed`` and the manifest from ``folder``, then its emptied folders; anything
    else (put there since the check) stays, and so does the folder holding it."""
    for relative in listed:
        with contextlib.suppress(OSError):
            os.unlink(folder / relative)
    with contextlib.suppress(OSError):
        os.unlink(folder / MANIFEST)
    for root, _, _ in sorted(os.walk(folder), key=lambda entry: -len(entry[0])):
        with contextlib.suppress(OSError):
            os.rmdir(root)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False when the
    system or file system cannot, so that the caller renames in two steps."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _renameat2() -> Callable[..., int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function: Callable[..., int] = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return None
    return function
