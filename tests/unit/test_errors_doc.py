"""docs/errors.md names, for every bad input, the test that covers it: each test it names exists (the
file, the test, the parameter id), so the table cannot point at a test that was renamed or removed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "errors.md"
FOLDERS = {"f/": "tests/functional/", "e/": "tests/e2e/", "u/": "tests/unit/", "tests/": "tests/"}
REFERENCE = re.compile(
    r"`((?:f/|e/|u/|tests/)[\w/]+\.py(?:::\w+)?(?:\[[^\]`]+\])?|::\w+(?:\[[^\]`]+\])?|…?\[[^\]`]+\])`"
)


def named_tests() -> list[tuple[int, str]]:
    """``(line, node id)`` for every test the document names, its shorthand resolved: ``::name`` is a test
    of the file last named, ``…[id]`` and ``[id]`` a parameter of the test last named."""
    found: list[tuple[int, str]] = []
    file = test = ""
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = line.split("|")
        for match in REFERENCE.finditer(cells[-2] if len(cells) > 2 else ""):
            ref = match.group(1)
            if ref.startswith(("…[", "[")):
                found.append((number, f"{file}::{test}{ref.removeprefix('…')}"))
                continue
            if ref.startswith("::"):
                ref = file + ref
            path, _, rest = ref.partition("::")
            for short, folder in FOLDERS.items():
                if path.startswith(short):
                    path = folder + path.removeprefix(short)
                    break
            file = path
            test = rest.partition("[")[0] if rest else ""
            found.append((number, f"{path}::{rest}" if rest else path))
    return found


def test_every_test_errors_md_names_exists() -> None:
    named = named_tests()
    assert len(named) > 60  # the table was read
    files = sorted({node.partition("::")[0] for _, node in named})
    missing_files = [f for f in files if not (ROOT / f).is_file()]
    assert missing_files == []
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            *files,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.splitlines()
    ids = {line.strip() for line in collected if "::" in line}
    assert len(ids) > 100, collected[-5:]
    wrong = []
    for number, node in named:
        if "::" not in node:
            continue
        test, _, param = node.partition("[")
        known = (
            {i for i in ids if i == node or i.startswith(node + "[")}
            if not param
            else {i for i in ids if i == node or (i.startswith(test + "[") and i.endswith("-" + param))}
        )  # a test of several parameters: named by its last one's id
        if not known:
            wrong.append(f"docs/errors.md:{number}: {node}")
    assert wrong == []
