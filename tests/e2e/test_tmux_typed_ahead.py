"""Keys typed ahead in a real terminal: tmux writes a whole ``send-keys`` at once, as a fast typist over
SSH does, and the app reads it in one go. Nothing is lost and nothing goes to the screen under the one
the first key opened."""

from __future__ import annotations

from pathlib import Path

from annotator.model import ImportRecord
from annotator.store import Store
from tests.e2e.test_tmux import Tmux, app_command, pytestmark, tmux  # noqa: F401  (the fixture, the skip)

KEYS = ["art_1", "raw one", "rcs two", "GUM_news_afghan"]


def _spans(db: Path, key: str) -> list[tuple[int, int, str]]:
    with Store(db) as store:
        return [(s.start, s.end, s.label) for s in store.edits.spans(store.documents.id_of(key), "alice")]


def test_g_and_the_filter_and_enter_and_a_tag_in_one_write(tmux: Tmux, db: Path) -> None:  # noqa: F811
    with Store(db) as store:
        records = [ImportRecord(f"Talks in Baku about {key} went on.", key, "t") for key in KEYS]
        store.documents.import_records(records, default_layer="alice")
    tmux.start(app_command(db, "annotate"))
    tmux.wait_for(lambda s: "document 1 of 4" in s and "Talks in Baku" in s)
    tmux.keys("grcs")  # one write: the list opens on g, its filter reads the rest
    shown = tmux.wait_for(lambda s: "▊  rcs " in s and "rcs two  todo" in s and "raw one  todo" not in s)
    assert "art_1  todo" not in shown and "GUM_news_afghan  todo" not in shown
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Documents:" not in s)
    tmux.keys("graw", "Enter", "a")  # one write: open "raw one", tag its first word as an ACTOR
    tmux.wait_for(lambda s: "raw one" in s and "Talks ACTOR" in s)
    assert _spans(db, "raw one") == [(0, 5, "ACTOR")]
    assert _spans(db, "art_1") == []
    tmux.keys("/Baku", "Enter", "p")  # one write: search, then the tag key on the match
    tmux.wait_for(lambda s: "Baku PLACE " in s)  # the span's tag, not the proposal's "PLACE?"
    assert _spans(db, "raw one") == [(0, 5, "ACTOR"), (9, 13, "PLACE")]
    tmux.keys("q")
