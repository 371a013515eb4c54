"""Fuzzing every importer (txt, JSON Lines, doccano, CoNLL, brat, and kb import's JSON Lines and CSV):
whatever the file holds, the result is a clean import or one ``AnnotatorError`` (the command line's one
line and exit 1), never another exception, and a refused import leaves the database as it was; what
each example allocates is bounded (tracemalloc), and so is the memory of the real command given a
gigabyte of zeros, JSON nested 50 million deep or a line past the 256 MiB bound (its peak resident
memory)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError
from annotator.importing import find_files, import_files
from annotator.store import Store

SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
HOSTILE = [
    "\x1b]0;pwned\x07", "\x1b[31m", "\x9b31m", "\u202e", "[/]", "[link=x]y[/link]", "\r\n", "\t", "\x00",
    "\ufeff", "NaN", "9" * 5000, "-1", "\ud800", "\udfff", "東京", "👩\u200d🔬", " ", "",
]  # fmt: skip
any_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),  # surrogates included
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), max_size=4).map("".join),
)
numbers = st.one_of(st.integers(-5, 60), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none())
json_value = st.recursive(
    st.one_of(any_text, numbers),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)),
    max_leaves=8,
)
LABELS = st.sampled_from(["PLACE", "ACTOR", "EVENT", "place", "[/]", "", "\x1b[1m", "PLACE\x00"])


def _span(style: str) -> st.SearchStrategy[object]:
    offset = st.one_of(st.integers(-3, 60), numbers, any_text)
    if style == "doccano":
        return st.one_of(st.tuples(offset, offset, LABELS).map(list), json_value)
    return st.one_of(
        st.fixed_dictionaries(
            {"start": offset, "end": offset, "label": LABELS},
            optional={"kb_id": st.one_of(any_text, numbers), "text": any_text},
        ),
        json_value,
    )


def _record(style: str) -> st.SearchStrategy[dict[str, object]]:
    spans_key = {"jsonl": "spans", "doccano": "label"}[style]
    return st.fixed_dictionaries(
        {"text": st.one_of(any_text, st.just("Troops left Gubadli for Baku."), json_value)},
        optional={
            "id": st.one_of(any_text, numbers, json_value),
            "meta": json_value,
            spans_key: st.one_of(st.lists(_span(style), max_size=4), json_value),
            "annotator": st.one_of(any_text, numbers),
            "answer": st.sampled_from(["accept", "reject", "ignore"]),
        },
    )


def _dumps(record: object, nest: int) -> str:
    line = json.dumps(record, ensure_ascii=False, allow_nan=True)
    return "[" * nest + line + "]" * nest if nest else line


@st.composite
def jsonl_file(draw: st.DrawFn, style: str) -> bytes:
    lines = [
        _dumps(draw(_record(style)), draw(st.sampled_from([0, 0, 0, 3, 5000])))
        for _ in range(draw(st.integers(1, 4)))
    ]
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    return _mangle(draw, raw)


def _mangle(draw: st.DrawFn, raw: bytes) -> bytes:
    """Sometimes a few raw bytes spliced in, a BOM in front, or the file cut short."""
    how = draw(st.sampled_from(["keep", "keep", "splice", "bom16", "cut"]))
    if how == "splice" and raw:
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(max_size=8)) + raw[at:]
    if how == "bom16":
        return b"\xff\xfe" + raw
    if how == "cut" and raw:
        return raw[: draw(st.integers(0, len(raw)))]
    return raw


@st.composite
def conll_file(draw: st.DrawFn) -> bytes:
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        token = draw(st.one_of(any_text, st.sampled_from(["Troops", "Baku", "-DOCSTART-", ""])))
        tag = draw(
            st.sampled_from(
                ["O", "B-PLACE", "I-PLACE", "L-PLACE", "U-ACTOR", "E-EVENT", "S-PLACE", "B-", "X", ""]
            )
        )
        rows.append(
            draw(st.sampled_from([f"{token} {tag}", f"{token} _ _ {tag}", "", f"{token}\t{tag}", token]))
        )
    return _mangle(draw, "\n".join(rows).encode("utf-8", "surrogatepass"))


@st.composite
def brat_pair(draw: st.DrawFn) -> tuple[bytes, bytes]:
    text = draw(st.one_of(st.just("Troops left Gubadli for Baku.\nThen home."), any_text))
    lines = []
    for n in range(draw(st.integers(0, 5))):
        start, end = (
            draw(st.integers(-2, 50)),
            draw(st.one_of(st.integers(-2, 50), st.just(0))),
        )
        digits = draw(st.sampled_from([str(end), "9" * 5000, "x", str(end) + ";" + str(start)]))
        label = draw(LABELS)
        shown = draw(
            st.one_of(any_text, st.just(text[max(start, 0) : max(end, 0)] if isinstance(text, str) else ""))
        )
        lines.append(
            draw(
                st.sampled_from(
                    [
                        f"T{n}\t{label} {start} {digits}\t{shown}",
                        f"N{n}\tReference T{n} KB:{shown}\t{shown}",
                        f"R{n}\tx",
                        shown,
                    ]
                )
            )
        )
    encode = lambda s: s.encode("utf-8", "surrogatepass")  # noqa: E731
    return _mangle(draw, encode(text)), _mangle(draw, encode("\n".join(lines)))


@st.composite
def kb_file(draw: st.DrawFn) -> tuple[str, bytes]:
    if draw(st.booleans()):
        record = st.fixed_dictionaries(
            {"name": st.one_of(any_text, numbers), "label": st.one_of(LABELS, numbers)},
            optional={
                "aliases": st.one_of(st.lists(any_text, max_size=3), json_value),
                "id": st.one_of(any_text, numbers, json_value),
                "description": json_value,
                "prominence": numbers,
            },
        )
        lines = [
            _dumps(draw(record), draw(st.sampled_from([0, 0, 5000]))) for _ in range(draw(st.integers(1, 3)))
        ]
        return ".jsonl", _mangle(draw, "\n".join(lines).encode("utf-8", "surrogatepass"))
    rows = [
        ",".join(
            draw(
                st.lists(
                    st.one_of(any_text, st.sampled_from(["Baku", "PLACE", '"', '""', "a|b"])),
                    min_size=1,
                    max_size=5,
                )
            )
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    return ".csv", _mangle(draw, "\n".join(rows).encode("utf-8", "surrogatepass"))


EXAMPLE_PEAK = 32 << 20
"""What reading one example (a few kilobytes, nested up to 5,000 deep) may allocate at its peak."""


class Project:
    """One database for all examples of a test, with a document already in it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="annotator-fuzz-"))
        self.db = self.folder / "fuzz.db"
        first = self.folder / "first.txt"
        first.write_text("A document there before.", encoding="utf-8")
        with Store(self.db) as store:
            import_files(store, find_files([first], "auto"), default_layer="alice", who="alice")

    def state(self) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(self.db)
        try:
            return [
                conn.execute(f"SELECT count(*), coalesce(max(rowid), 0) FROM {table}").fetchone()
                for table in ("documents", "spans", "layers", "doc_status", "kb_entries")
            ]
        finally:
            conn.close()

    def attempt(self, write: Callable[[Path], Path], action: Callable[[Store, Path], object]) -> None:
        """Write the example's files into a fresh folder, run ``action``: success, or an AnnotatorError
        and the database as it was."""
        case = Path(tempfile.mkdtemp(dir=self.folder))
        path = write(case)
        before = self.state()
        tracemalloc.start()
        try:
            with Store(self.db) as store:
                action(store, path)
        except AnnotatorError as err:
            assert self.state() == before, str(err)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak < EXAMPLE_PEAK, f"{peak >> 20} MiB for {path.stat().st_size} bytes"


def _import(fmt: str) -> Callable[[Store, Path], object]:
    def run(store: Store, path: Path) -> object:
        return import_files(store, find_files([path], fmt), default_layer="alice", who="alice")

    return run


@pytest.fixture(scope="module")
def project() -> Project:
    return Project()


@pytest.mark.parametrize("style", ["jsonl", "doccano"])
def test_json_lines_importers(project: Project, style: str) -> None:
    @SETTINGS
    @given(jsonl_file(style))
    def check(data: bytes) -> None:
        project.attempt(
            lambda case: _write(case / "f.jsonl", data), _import(style if style != "jsonl" else "auto")
        )

    check()


def test_conll_importer(project: Project) -> None:
    @SETTINGS
    @given(conll_file())
    def check(data: bytes) -> None:
        project.attempt(lambda case: _write(case / "f.conll", data), _import("conll"))

    check()


def test_txt_importer(project: Project) -> None:
    @SETTINGS
    @given(st.one_of(st.binary(max_size=200), any_text.map(lambda s: s.encode("utf-8", "surrogatepass"))))
    def check(data: bytes) -> None:
        project.attempt(lambda case: _write(case / "f.txt", data), _import("txt"))

    check()


def test_brat_importer(project: Project) -> None:
    @SETTINGS
    @given(brat_pair())
    def check(pair: tuple[bytes, bytes]) -> None:
        def write(case: Path) -> Path:
            _write(case / "d.txt", pair[0])
            return _write(case / "d.ann", pair[1])

        project.attempt(write, _import("brat"))

    check()


def test_kb_import(project: Project) -> None:
    from annotator.kb.sources import read_kb_file

    @SETTINGS
    @given(kb_file(), st.sampled_from([None, "PLACE"]))
    def check(file: tuple[str, bytes], label: str | None) -> None:
        def run(store: Store, path: Path) -> object:
            return store.kb.import_entries(read_kb_file(path, label), path)

        project.attempt(lambda case: _write(case / f"kb{file[0]}", file[1]), run)

    check()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- bounded memory ---------------------------------------------------------------------------------------

PEAK = """import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(done.stderr)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
"""Runs the command given and prints its exit status and peak resident memory (KiB): a process of its own
per measurement, since RUSAGE_CHILDREN keeps the largest child's peak."""
BASE = 100 << 20
"""What a command may hold without reading a byte (Python, click, sqlite, the readers' modules: about 30
MiB here), with room to spare."""


def _peak(db: Path, *args: str) -> tuple[int, str, int]:
    """Exit status, stderr and peak resident memory in bytes of ``annotator --db DB ARGS``."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    status, peak = done.stdout.split()
    return int(status), done.stderr, int(peak) << 10


def _zeros(path: Path, size: int = 1 << 30) -> Path:
    """A file of ``size`` zero bytes, as /dev/zero copied into a file would be (sparse: no disk taken)."""
    with path.open("wb") as stream:
        stream.truncate(size)
    return path


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("zeros.txt", ["import"]),
        ("zeros.jsonl", ["import"]),
        ("zeros.jsonl", ["import", "--format", "doccano"]),
        ("zeros.conll", ["import"]),
        ("zeros.ann", ["import"]),
        ("zeros.jsonl", ["kb", "import"]),
        ("zeros.csv", ["kb", "import"]),
    ],
    ids=["txt", "jsonl", "doccano", "conll", "brat", "kb-jsonl", "kb-csv"],
)
def test_a_gigabyte_of_zeros_is_refused_by_its_start(tmp_path: Path, name: str, command: list[str]) -> None:
    """Not read to its end (the readers had read it whole: 1-2 GB of memory, up to 30 s)."""
    path = _zeros(tmp_path / name)
    if name.endswith(".ann"):
        _zeros(tmp_path / "zeros.txt")
    status, stderr, peak = _peak(tmp_path / "z.db", *command, str(path))
    assert status == 1
    assert stderr.count("\n") == 1 and "binary file (NUL bytes), not text" in stderr, stderr
    assert peak < BASE, f"{peak >> 20} MiB"


def test_json_nested_fifty_million_deep_takes_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "Troops left.", "meta": ' + "[" * 50_000_000 + "}\n", encoding="utf-8")
    status, stderr, peak = _peak(tmp_path / "z.db", "import", str(path))
    assert (status, stderr) == (1, f"annotator: error: {path}:1: not JSON this reads: nested too deep\n")
    assert peak < BASE + 3 * (50 << 20), f"{peak >> 20} MiB"  # the line, its text, json's own copy


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".jsonl", ".conll", ".txt"])
def test_a_line_or_document_over_the_bound_is_refused_within_it(tmp_path: Path, suffix: str) -> None:
    """A 300 MB line (or a 300 MB text): refused by the 256 MiB bound, never more than twice the bound
    held (a line is read whole up to it); a text file too large for one document is refused unread."""
    from annotator.formats.reading import MAX_LINE_BYTES

    path = tmp_path / f"long{suffix}"
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"text": "' if suffix == ".jsonl" else "")
        for _ in range(300):
            stream.write("a" * 1_000_000)
        stream.write('"}\n' if suffix == ".jsonl" else " O\n")
    status, stderr, peak = _peak(tmp_path / "z.db", "import", str(path))
    assert status == 1 and stderr.count("\n") == 1, stderr
    if suffix == ".txt":
        assert "larger than the 256 MiB one document read whole may be" in stderr
        assert peak < BASE, f"{peak >> 20} MiB"
    else:
        assert stderr == f"annotator: error: {path}:1: line longer than 256 MiB\n"
        assert peak < BASE + 2 * MAX_LINE_BYTES, f"{peak >> 20} MiB"
