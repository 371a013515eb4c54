"""The command line reaches the terminal one way: cli/output.py (echo, echo_error, echo_json, console,
table), where every string is made literal. No other command module prints, makes a Rich console or
table, or echoes by itself, so no output can skip the rule."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[2] / "annotator" / "cli"


def test_only_cli_output_prints() -> None:
    found = []
    for path in sorted(CLI.glob("*.py")):
        if path.name == "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in ("print", "Console", "Table"):
                    found.append(f"{path.name}:{node.lineno} {func.id}")
                elif (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "click"
                    and func.attr in ("echo", "secho")
                ):
                    found.append(f"{path.name}:{node.lineno} click.{func.attr}")
            if isinstance(node, ast.ImportFrom) and node.module in ("rich.console", "rich.table"):
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
    assert found == []
