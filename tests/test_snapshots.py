"""Screens as the user sees them; baselines in tests/__snapshots__, made with --snapshot-update, reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importing import find_files, read_files
from annotator.model import Span
from annotator.store import Store
from annotator.tui.app import make_app
from tests.conftest import SEED


@pytest.fixture
def app(db: Path):
    store = Store(db)
    store.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    text = SEED.read_text(encoding="utf-8")
    doc = store.document_ids()[0]
    for word, label in [("Gubadli", "PLACE"), ("Arthur Hansen", "ACTOR"), ("news conference", "EVENT")]:
        start = text.index(word)
        store.add_span(doc, "alice", Span(start, start + len(word), label), "alice")
    start = text.index("Armenian Defense Ministry")  # nested: an ACTOR holding a PLACE-like adjective
    store.add_span(doc, "alice", Span(start, start + len("Armenian Defense Ministry"), "ACTOR"), "alice")
    store.add_span(doc, "alice", Span(start, start + len("Armenian"), "PLACE"), "alice")
    yield make_app(store, "alice")
    store.close()


def test_main_screen_with_spans(snap_compare, app) -> None:
    assert snap_compare(app, terminal_size=(120, 36), press=["down", "down", "shift+right", "shift+right"])


def test_main_screen_at_80x24(snap_compare, app) -> None:
    assert snap_compare(app, terminal_size=(80, 24))


def test_help_screen(snap_compare, app) -> None:
    assert snap_compare(app, terminal_size=(100, 40), press=["question_mark", "_"])
