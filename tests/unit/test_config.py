"""annotator.toml read on its own: an uncommented [keys] line remaps an action."""

from __future__ import annotations

from pathlib import Path

from annotator.config import load_config
from annotator.keymap import key_actions


def test_an_uncommented_line_remaps_the_key(tmp_path: Path) -> None:
    path = tmp_path / "annotator.toml"
    path.write_text('[keys]\n"annotate.tag_2" = "k, 2"\n', encoding="utf-8")
    assert load_config(path, key_actions()).keys == {"annotate.tag_2": "k,2"}
