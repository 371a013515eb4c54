"""The README's screenshots, made from the app itself (Textual's SVG export) on the sample article:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Run it again when a screen changes; it writes annotate.svg, help.svg, documents.svg and review.svg.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.importing import SEEDS, find_files, read_files
from annotator.model import KbEntry, Span
from annotator.store import Store
from annotator.tui.app import make_app

SIZE = (120, 36)


def seeded(db: Path) -> Store:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEEDS], "auto")), default_layer="alice")
    store.kb.add([KbEntry("Qubadlı", "PLACE", ("Kubadli",), "geonames:147305", "Azerbaijan, 5,000")])
    doc = store.documents.ids()[0]
    text = store.documents.get(doc).text
    for word, label in [("Arthur Hansen", "ACTOR"), ("news conference", "EVENT"), ("Gubadli", "PLACE")]:
        start = text.index(word)
        store.edits.edit(doc, "alice", add=[Span(start, start + len(word), label)], who="alice")
    return store


async def annotate(store: Store, out: Path) -> None:
    app = make_app(store, "alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.5)  # the KB loads and the proposals come
        await pilot.press("slash", *"gubadli", "enter")
        await pilot.pause(0.5)
        app.save_screenshot(str(out / "annotate.svg"))
        await pilot.press("question_mark")
        await pilot.pause()
        app.save_screenshot(str(out / "help.svg"))
        await pilot.press("escape", "g")
        await pilot.pause()
        app.save_screenshot(str(out / "documents.svg"))


async def review(store: Store, out: Path) -> None:
    doc = store.documents.ids()[0]
    text = store.documents.get(doc).text
    start = text.index("Armenian Defense Ministry")
    store.edits.edit(doc, "bob", add=[Span(start, start + 25, "ACTOR")], who="bob")
    for word, label in [("Arthur Hansen", "ACTOR"), ("news conference", "ACTOR")]:
        at = text.index(word)
        store.edits.edit(doc, "bob", add=[Span(at, at + len(word), label)], who="bob")
    for layer in ("alice", "bob"):
        store.progress.set_status(doc, layer, "done")
    app = make_app(store, "lead", review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.5)
        app.save_screenshot(str(out / "review.svg"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        store = seeded(Path(folder) / "screenshots.db")
        asyncio.run(annotate(store, out))
        asyncio.run(review(store, out))
        store.close()
    print(f"wrote {', '.join(sorted(p.name for p in out.glob('*.svg')))} to {out}")


if __name__ == "__main__":
    main()
