"""Where am I, what next: the document list (g) with states, filtered by a key's start or its letters;
done and assigned counts in the title; reading a document does not begin it; the entity panel lists
distinct entities with counts and filters them."""

from __future__ import annotations

from pathlib import Path

from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.picker import DocumentPicker, match_rank, matching
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.title_bar import TitleBar

KEYS = ["art_1", "art_15", "art_150", "GUM_news_afghan", "bart_15"]


def test_a_key_matches_the_same_then_its_start_then_within_then_its_letters_in_order() -> None:
    assert match_rank("art_15", "art_15") == 0
    assert match_rank("ART_1", "art_15") == 1  # any case
    assert match_rank("t_15", "art_15") == 2
    assert match_rank("gnaf", "GUM_news_afghan") == 3
    assert match_rank("zz", "art_15") is None
    assert [KEYS[i] for i in matching("art_15", KEYS)] == ["art_15", "art_150", "bart_15"]
    assert [KEYS[i] for i in matching("", KEYS)] == KEYS


def store_with(db: Path, texts: dict[str, str]) -> Store:
    store = Store(db)
    records = [ImportRecord(text=text, key=key, source="t") for key, text in texts.items()]
    store.documents.import_records(records, default_layer="alice")
    return store


async def test_g_lists_the_documents_with_their_states_and_opens_the_one_typed(db: Path) -> None:
    store = store_with(db, {key: f"Talks in Baku about {key}." for key in KEYS})
    store.progress.set_status(store.documents.id_of("art_150"), "alice", "done")
    store.edits.edit(store.documents.id_of("art_15"), "alice", add=[Span(9, 13, "PLACE")], who="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("g")
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        listed = str(picker.query_one("#list").content)
        assert "art_150  done" in listed and "art_15  in progress" in listed and "art_1  todo" in listed
        await pilot.press(*"gnaf")  # the letters of GUM_news_afghan in order
        assert [picker.keys[i] for i in picker.shown] == ["GUM_news_afghan"]
        await pilot.press("enter")
        assert app.screen is screen and screen.doc_key == "GUM_news_afghan"
        await pilot.press("g", *"art_15", "down", "enter")  # the second best: art_150
        assert screen.doc_key == "art_150"
        await pilot.press("g", *"nothing like it", "enter")
        assert screen.doc_key == "art_150"
        await pilot.press("g", "escape")
        assert app.screen is screen
    store.close()


async def test_the_document_list_fills_the_height_it_has(db: Path) -> None:
    store = store_with(db, {f"doc_{n:02}": f"Talks in Baku, part {n}." for n in range(40)})
    app = make_app(store, "alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        rows = str(picker.query_one("#list").content).splitlines()
        height = picker.query_one("#list").size.height
        assert height > 20 and len(rows) == height  # not the 10 rows it was drawn for before the layout
    store.close()


async def test_the_title_counts_done_and_assigned_and_reading_does_not_begin_a_document(db: Path) -> None:
    store = store_with(db, {f"k{n}": f"Talks in Baku, part {n}." for n in range(4)})
    ids = store.documents.ids()
    store.teams.set_assignments({ids[1]: ["alice"], ids[2]: ["alice"], ids[3]: ["bob"]})
    store.progress.set_status(ids[2], "alice", "done")
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        title = screen.query_one(TitleBar).text.plain
        assert "document 1 of 4" in title and "1 of 2 assigned done" in title
        screen._time.unsaved = 30.0  # half a minute of reading
        screen._flush_time()
        assert store.progress.status(screen.doc_id, "alice") == "todo"  # not begun: assign may move it
        await pilot.press("p")
        assert store.progress.status(screen.doc_id, "alice") == "in_progress"
    store.close()


async def test_the_entity_panel_lists_each_entity_once_with_its_count_and_filters(db: Path) -> None:
    text = "Armenia said Armenia and Armenia again; Baku and Armenia met in Baku. Azerbaijan too."
    store = store_with(db, {"d": text})
    doc = store.documents.ids()[0]
    spans = [Span(i, i + 7, "PLACE") for i in range(len(text)) if text.startswith("Armenia", i)]
    spans += [Span(i, i + 4, "PLACE") for i in range(len(text)) if text.startswith("Baku", i)]
    spans.append(Span(text.index("Azerbaijan"), text.index("Azerbaijan") + 10, "ACTOR"))
    store.edits.edit(doc, "alice", add=spans, who="alice")
    app = make_app(store, "alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(EntityPanel)

        def drawn() -> list[str]:
            return ["".join(s.text for s in panel.render_line(y)).rstrip() for y in range(6)]

        assert drawn() == [" ACTOR  1", "  Azerbaijan", " PLACE  6", "  Armenia ×4", "  Baku ×2", " EVENT  0"]
        await pilot.press("tab", "tab", "down", "down", "enter")  # Armenia: the first place, then the next
        view = app.screen.article
        assert view.selection == (0, 7)
        await pilot.press("enter")
        assert view.selection == (13, 20)
        await pilot.press("f", *"bak", "enter")
        assert drawn()[:4] == [
            " ACTOR  1 (0 of 1 shown)",
            " PLACE  6 (1 of 2 shown)",
            "  Baku ×2",
            " EVENT  0",
        ]
        assert panel.has_focus and panel.border_title == "Entities: “bak”"
        await pilot.press("f", "ctrl+a", "ctrl+k", "enter")  # an empty filter: all again
        assert len(panel.rows) == 6
    store.close()


async def test_the_entity_panel_after_edits_lists_what_grouping_all_the_spans_again_lists() -> None:
    """An edit regroups only the labels it touched; the rows are those a fresh grouping gives, in the
    order of each entity's first place, after random tags, relabels and removals (a filter too)."""
    import random

    from textual.app import App, ComposeResult

    from annotator.model import Label
    from annotator.tui.article_layout import span_order

    class PanelApp(App[None]):
        def compose(self) -> ComposeResult:
            yield EntityPanel()
            yield EntityPanel(id="fresh")

    words = ["Baku", "Armenia", "Azerbaijan", "talks", "Baku", "Yerevan", "Armenia", "summit", "Moscow"]
    text = " ".join(words[i % len(words)] for i in range(60))
    tokens = [(m, m + len(w)) for m, w in _offsets(text)]
    labels = [Label("ACTOR", "a", "#e69f00"), Label("PLACE", "p", "#56b4e9"), Label("EVENT", "e", "#cc79a7")]
    rng = random.Random(5)
    async with PanelApp().run_test(size=(40, 200)) as pilot:
        panel, fresh = pilot.app.query(EntityPanel)
        spans: list[Span] = []
        panel.show(text, spans, labels, {})
        for step in range(200):
            if step == 120:
                panel.set_filter("ba")
                fresh.set_filter("ba")
            start, end = tokens[rng.randrange(len(tokens))]
            if rng.random() < 0.3:
                end = tokens[min(tokens.index((start, end)) + 1, len(tokens) - 1)][1]
            here = [s for s in spans if (s.start, s.end) == (start, end)]
            removed = here if here and rng.random() < 0.5 else []
            added = [] if removed and rng.random() < 0.5 else [Span(start, end, rng.choice(labels).name)]
            if added and here and not removed:
                removed = here  # relabel: one span per extent
            spans = sorted([s for s in spans if s not in removed] + added, key=span_order)
            panel.change(spans, removed, added)
            fresh.show(text, spans, labels, {})
            assert panel.rows == fresh.rows, step
        await pilot.pause()


def _offsets(text: str) -> list[tuple[int, str]]:
    found, at = [], 0
    for word in text.split(" "):
        found.append((at, word))
        at += len(word) + 1
    return found
