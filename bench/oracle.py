"""An oracle annotator on the real annotation screen: keys per correct span, replaying gold through the
screen's own keys, with the model, with the starter model, and with nothing proposed.

For each setup a real SQLite database in a temporary folder holds the 6 held-out news articles of
``bench/model.py``'s split (to annotate, in that order) and, with the team model, the first 5 team
documents done in the oracle's layer with a model trained on them stored as ``annotator train`` stores
it; with the starter, a starter trained on the travel guides and interviews (the shipped one saw the
held-out articles); with ``--db``, the GeoNames gazetteer copied from that database (not for "nothing
proposed": no model, no gazetteer; what the screen learns from the oracle's own tags it still proposes).
The app runs under Textual's Pilot (120 x 40). For each gold span, in document order (the outer of two
nested ones first), the planner (``bench/oracle_plan.py``) finds the cheapest sequence of the screen's
keys from the screen as it is (its proposals, selection, wrapping, last search); the keys are pressed for
real and counted, and the layer in the database must then hold the span. Once the keys of a span are
pressed the oracle waits until the screen has saved the edit and its proposals are computed again (as an
annotator who pauses half a second; the screen's delay before proposing again is set to 0 here, so the
run is deterministic and short). ``]`` goes to the next document (counted apart, not per span). At the
end each document's layer is compared with its gold.

    .venv/bin/python bench/oracle.py [--db GAZETTEER_DB] [--setups team,starter,nothing] [--docs N]

Printed: per setup and document, gold spans, spans correct in the layer, keys, keys per correct span,
what the keys were spent on and how the spans were made; beside each, ``bench/model.py``'s simulated
oracle for the same setup (``oracle_keys``: without / with the in-document memory).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from textual import events  # noqa: E402
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key  # noqa: E402

from annotator import keymap  # noqa: E402
from annotator.kb import FuzzyIndex, KnowledgeBase  # noqa: E402
from annotator.kb.fuzzy import index_folder  # noqa: E402
from annotator.model import ImportRecord, Span, StoredModel  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.tagger import Tagger, train  # noqa: E402
from annotator.tagger.crf import KIND  # noqa: E402
from annotator.training import TrainingDocument, examples, train_model  # noqa: E402
from annotator.tui.app import make_app  # noqa: E402
from annotator.tui.screens import annotate  # noqa: E402
from annotator.tui.screens.annotate import AnnotateScreen  # noqa: E402
from bench.model import CORPUS, load_corpus, model_spans, oracle_keys  # noqa: E402
from bench.oracle_plan import PURPOSES, Screen, plan  # noqa: E402

USER = "oracle"
SIZE = (120, 40)
THRESHOLD = 0.5
TEAM_DOCUMENTS = 5
WRITING = {"y", "X", "less_than_sign", "greater_than_sign", "comma", "full_stop"}
"""Keys that may write (and the label keys): the oracle waits for the write, and what follows it,
before the next key."""
HOLD_S = 3600.0
"""While the keys of one span are pressed, the screen's pause before proposing again (which they come
faster than): it proposes again once, after them, as for an annotator who types them in one go."""
ATTEMPTS = 3
"""Plans tried for one span before it is counted as missed (a plan whose foresight failed is replanned
from where the screen is)."""

Gold = tuple[int, int, str]
TRACE = False
"""``--trace``: each span's keys printed."""
SENTENCE_KEY: str | None = getattr(keymap, "ACCEPT_SENTENCE", None) and keymap.ACCEPT_SENTENCE.keys
"""The screen's key taking the sentence's proposals (``--no-sentence-key``: the oracle does not use it)."""
PHRASE_KEY: str | None = next(
    (a.keys.split(",")[0] for a in keymap.ARTICLE if a.id == "article.phrase"), None
)
"""The key selecting the name or phrase at the cursor (``--no-phrase-key``: the oracle does not use it)."""
NAME_KEYS: tuple[str, str] | None = (
    (keymap.NEXT_NAME.keys.split(",")[0], keymap.PREVIOUS_NAME.keys.split(",")[0])
    if hasattr(keymap, "NEXT_NAME")
    else None
)
"""The keys selecting the next and previous name no span holds (``--no-name-keys``: not used)."""


@dataclass(frozen=True)
class Setup:
    name: str
    team: int
    """Team documents done in the layer before (and the model trained on them)."""
    model: str | None
    """``team``, ``starter`` or None (the screen without a model)."""
    gazetteer: bool


SETUPS = {
    "team": Setup(f"team model after {TEAM_DOCUMENTS} documents", TEAM_DOCUMENTS, "team", True),
    "starter": Setup("starter model (guides and interviews)", 0, "starter", True),
    "nothing": Setup("nothing proposed (no model, no gazetteer)", 0, None, False),
}


@dataclass
class DocumentResult:
    key: str
    gold: int
    correct: int = 0
    extra: int = 0
    """Spans in the layer that are not gold (none, if the oracle is right)."""
    unholdable: int = 0
    missed: int = 0
    keys: Counter[str] = field(default_factory=Counter)
    """Keys pressed, by purpose."""
    kinds: Counter[str] = field(default_factory=Counter)
    kind_keys: Counter[str] = field(default_factory=Counter)
    """Keys pressed for the spans made each way (a replanned span's keys go to its last plan's way)."""
    replans: int = 0
    app_keys: int = 0
    """Keys the screen itself counted on the document (its effort record)."""

    @property
    def pressed(self) -> int:
        return sum(self.keys.values())


# --- the database ---------------------------------------------------------------------------------


def make_database(
    path: Path,
    setup: Setup,
    team: Sequence[TrainingDocument],
    held: Sequence[TrainingDocument],
    starter_docs: Sequence[TrainingDocument],
    gazetteer: Path | None,
) -> None:
    """The project the oracle works in (see the module's docstring)."""
    if gazetteer is not None and setup.gazetteer:
        with sqlite3.connect(gazetteer) as source, sqlite3.connect(path) as target:
            source.backup(target)
        kept = index_folder(gazetteer)
        if kept.is_dir():  # the fuzzy index built for it (else it is built again: 25 s)
            shutil.copytree(kept, index_folder(path))
    with Store(path) as store:
        if store.documents.count():
            raise SystemExit(f"{gazetteer}: holds documents; give a database with only the gazetteer")
        done = list(team[: setup.team])
        if done:
            store.documents.import_records(
                [ImportRecord(d.text, d.key, "corpus", spans=[Span(*s) for s in d.spans]) for d in done], USER
            )
        store.documents.import_records([ImportRecord(d.text, d.key, "corpus") for d in held], USER)
        for d in [*done, *held]:
            stored = store.documents.get(store.documents.id_of(d.key))
            assert stored.text == d.text, f"{d.key}: the text changed on import"
        index = KnowledgeBase.load(store.kb).index if store.kb.count() else None
        if setup.model == "team":
            # the corpus as another domain: the guides and interviews, as bench/model.py's team model (the
            # shipped corpus holds the held-out articles: a model trained with it has seen their gold)
            result = train_model(done, index, corpus=starter_docs)
            model, scores = result.model, (result.scores.to_json() if result.scores else None)
            store.models.save(_stored(model.data, model.digest, model.documents, model.tokens, scores))
        elif setup.model == "starter":
            model = train(examples(starter_docs, index, starter_docs))
            store.models.save(_stored(model.data, model.digest, model.documents, model.tokens, None))


def _stored(data: bytes, digest: str, documents: int, tokens: int, scores: Any) -> StoredModel:
    return StoredModel(USER, KIND, data, digest, (USER,), documents, tokens, scores, None, time.time())


# --- waiting for the screen -------------------------------------------------------------------------


def _install_probe() -> None:
    """Make the screen's proposals observable (the proposer thread's ``busy`` and ``answers`` say what
    it has computed and posted, the screen counts the answers it has shown); and propose again at once
    after an edit (no pause to wait for)."""
    annotate.PROPOSE_AGAIN_DELAY_S = 0.0
    annotate.PROPOSE_AGAIN_PAUSES = 0
    if getattr(AnnotateScreen, "_oracle_probe", False):
        return
    shown = AnnotateScreen.on_proposals_found

    def counted(self: Any, message: Any) -> None:
        shown(self, message)
        self._oracle_shown = getattr(self, "_oracle_shown", 0) + 1

    AnnotateScreen.on_proposals_found = counted  # type: ignore[method-assign]
    AnnotateScreen._oracle_probe = True  # type: ignore[attr-defined]


def _settled(screen: AnnotateScreen) -> bool:
    proposer = screen._proposer
    if proposer is None or screen.writes_pending:
        return False
    return not proposer.busy and proposer.answers == getattr(screen, "_oracle_shown", 0)


async def press(pilot: Any, key: str) -> None:
    """A key as ``Pilot.press`` sends it, then the screen's messages handled (``Pilot.press`` also waits
    for the process to look idle: up to a second each while a thread computes)."""
    app = pilot.app
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)
    for _ in range(3):
        await pilot._wait_for_screen()


async def _saved(pilot: Any, screen: AnnotateScreen, seconds: float = 60.0) -> None:
    """Until the screen has saved and shown its writes."""
    deadline = time.monotonic() + seconds
    while screen.writes_pending:
        await asyncio.sleep(0.002)
        await pilot._wait_for_screen()
        if time.monotonic() > deadline:
            raise RuntimeError("a write was not saved")


async def settle(pilot: Any, screen: AnnotateScreen, seconds: float = 120.0) -> None:
    """Until the screen has saved its writes and shown its proposals computed again."""
    deadline = time.monotonic() + seconds
    calm = 0
    while calm < 2:
        await pilot._wait_for_screen()
        if _settled(screen):
            calm += 1
        else:
            calm = 0
            await asyncio.sleep(0.002)
        if time.monotonic() > deadline:
            raise RuntimeError("the screen did not settle")


# --- replaying ------------------------------------------------------------------------------------


async def replay(db: Path, setup: Setup, held: Sequence[TrainingDocument]) -> list[DocumentResult]:
    _install_probe()
    store = Store(db)
    app = make_app(store, USER, doc_key=held[0].key, threshold=THRESHOLD, use_model=setup.model is not None)
    results: list[DocumentResult] = []
    navigation = 0
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        while screen._proposer is None:
            await pilot.pause(0.05)
        label_keys = {label.name: label.key for label in store.labels.all()}
        for number, document in enumerate(held):
            if number:
                await press(pilot, "right_square_bracket")
                navigation += 1
            await settle(pilot, screen)
            assert screen.doc_key == document.key, (screen.doc_key, document.key)
            results.append(await _replay_document(pilot, screen, document, label_keys))
        doc_ids = {document.key: store.documents.id_of(document.key) for document in held}
    with Store(db) as after:
        for result in results:
            layer = {(s.start, s.end, s.label) for s in after.edits.spans(doc_ids[result.key], USER)}
            gold = {tuple(s) for s in next(d for d in held if d.key == result.key).spans}
            result.correct = len(layer & gold)
            result.extra = len(layer - gold)
            text = next(d for d in held if d.key == result.key).text
            for start, end, label in sorted(layer - gold):
                print(f"  not gold in {result.key}: {text[start:end]!r} {label} ({start}-{end})")
            result.app_keys = after.progress.keys(doc_ids[result.key], USER)
    store.close()
    print(f"  ({navigation} keys to go to the next document, not counted per span)")
    return results


async def _replay_document(
    pilot: Any, screen: AnnotateScreen, document: TrainingDocument, label_keys: dict[str, str]
) -> DocumentResult:
    result = DocumentResult(document.key, len(set(document.spans)))
    gold: list[Gold] = sorted(set(document.spans), key=lambda s: (s[0], -s[1], s[2]))
    for position, span in enumerate(gold):
        before = result.pressed
        if _holds(screen, span):  # taken with an earlier span's sentence
            result.kinds["with its sentence"] += 1
            continue
        for attempt in range(ATTEMPTS):
            if _holds(screen, span):
                break
            if attempt:
                result.replans += 1
                if TRACE:
                    print(f"    replanning {document.text[span[0] : span[1]]!r} {span[2]}")
            remaining = [g for g in gold[position:] if not _holds(screen, g)]
            view = Screen(
                screen.article, screen._needle, label_keys, screen.spans, remaining, SENTENCE_KEY,
                screen._match, PHRASE_KEY, NAME_KEYS,
            )  # fmt: skip
            found = plan(view, span)
            if found is None:
                result.unholdable += 1
                break
            annotate.PROPOSE_AGAIN_DELAY_S = HOLD_S  # the keys of one span come faster than the pause
            for key, purpose in found.keys:
                await press(pilot, key)
                result.keys[purpose] += 1
                if key in WRITING or key in label_keys.values():
                    await _saved(pilot, screen)
            annotate.PROPOSE_AGAIN_DELAY_S = 0.0
            if screen._proposer is not None:
                screen._proposer.hurry()  # the pause after the keys: now
            await settle(pilot, screen)
            if TRACE:
                said = " ".join(k for k, _ in found.keys)
                print(f"    {document.text[span[0] : span[1]]!r} {span[2]}: {found.kind}: {said}")
            if _holds(screen, span):
                result.kinds[found.kind] += 1
                result.kind_keys[found.kind] += result.pressed - before
                break
        else:
            result.missed += 1
        await _remove_strays(pilot, screen, document, gold, label_keys, result)
    return result


async def _remove_strays(
    pilot: Any,
    screen: AnnotateScreen,
    document: TrainingDocument,
    gold: list[Gold],
    label_keys: dict[str, str],
    result: DocumentResult,
) -> None:
    """Remove (select, x) what a plan whose foresight failed left in the layer that is not gold."""
    wanted = set(gold)
    for _ in range(ATTEMPTS):
        strays = [(s.start, s.end, s.label) for s in screen.spans if (s.start, s.end, s.label) not in wanted]
        if not strays:
            return
        stray = strays[0]
        view = Screen(screen.article, screen._needle, label_keys, screen.spans, [], None, screen._match)
        found = plan(view, stray, remove=True)
        if found is None:
            return
        if TRACE:
            print(f"    removing {document.text[stray[0] : stray[1]]!r} {stray[2]}: {found.kind}")
        for key, purpose in found.keys:
            await press(pilot, key)
            result.keys[purpose] += 1
        await settle(pilot, screen)


def _holds(screen: AnnotateScreen, span: Gold) -> bool:
    return any((s.start, s.end, s.label) == span for s in screen.spans)


# --- the simulated figure ---------------------------------------------------------------------------


def simulated(
    setup: Setup,
    team: Sequence[TrainingDocument],
    held: Sequence[TrainingDocument],
    starter_docs: Sequence[TrainingDocument],
    index: FuzzyIndex | None,
) -> tuple[float, float]:
    """``bench/model.py``'s cost model for the same setup: without / with the in-document memory."""
    if setup.model is None:
        spans: list[list[tuple[int, int, str]]] = [[] for _ in held]
    else:
        done = list(team[: setup.team])
        training = done if setup.model == "team" else list(starter_docs)
        tagger = Tagger(train(examples(training, index, training)).data)
        spans = model_spans(tagger, examples(held, index, done), THRESHOLD)
    return oracle_keys(held, spans), oracle_keys(held, spans, memory=True)


# --- the report -------------------------------------------------------------------------------------


def report(setup: Setup, results: list[DocumentResult], sim: tuple[float, float], seconds: float) -> None:
    print(f"\n### {setup.name} ({seconds:.0f} s)\n")
    print("| document | gold spans | correct in the layer | keys | keys per correct span | app's own count |")
    print("|---|---|---|---|---|---|")
    for r in results:
        per = r.pressed / r.correct if r.correct else 0.0
        print(f"| {r.key} | {r.gold} | {r.correct} | {r.pressed} | {per:.2f} | {r.app_keys} |")
    gold = sum(r.gold for r in results)
    correct = sum(r.correct for r in results)
    pressed = sum(r.pressed for r in results)
    print(f"| **all** | {gold} | {correct} | {pressed} | **{pressed / correct:.2f}** |"
          f" {sum(r.app_keys for r in results)} |")  # fmt: skip
    keys: Counter[str] = sum((r.keys for r in results), Counter())
    kinds: Counter[str] = sum((r.kinds for r in results), Counter())
    spent = ", ".join(f"{p} {keys[p]} ({keys[p] / correct:.2f}/span)" for p in PURPOSES if keys[p])
    print(f"\nkeys spent on: {spent}")
    kind_keys: Counter[str] = sum((r.kind_keys for r in results), Counter())
    print("spans made: " + ", ".join(
        f"{k} {v} ({kind_keys[k]} keys, {kind_keys[k] / v:.2f} each)" for k, v in kinds.most_common()
    ))  # fmt: skip
    print(f"not in the layer: unholdable {sum(r.unholdable for r in results)}, missed"
          f" {sum(r.missed for r in results)}; not gold in the layer: {sum(r.extra for r in results)};"
          f" replanned {sum(r.replans for r in results)}")  # fmt: skip
    print(f"simulated (bench/model.py oracle_keys, same setup): {sim[0]:.2f} without the memory,"
          f" {sim[1]:.2f} with")  # fmt: skip


def main() -> None:
    global TRACE, SENTENCE_KEY, THRESHOLD, PHRASE_KEY, NAME_KEYS
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="A database holding the GeoNames gazetteer.")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--setups", default="team,starter,nothing")
    parser.add_argument("--docs", type=int, default=6, help="Held-out documents replayed (of 6).")
    parser.add_argument("--trace", action="store_true", help="Print the keys of every span.")
    parser.add_argument(
        "--threshold", type=float, default=THRESHOLD, help="The model's proposals shown from this confidence."
    )
    parser.add_argument(
        "--no-sentence-key", action="store_true", help="Never take a sentence's proposals at once (A)."
    )
    parser.add_argument(
        "--no-phrase-key", action="store_true", help="Never select the name or phrase at the cursor (V)."
    )
    parser.add_argument(
        "--no-name-keys", action="store_true", help="Never jump to the next or previous name (j, k)."
    )
    args = parser.parse_args()
    TRACE = args.trace
    THRESHOLD = args.threshold
    if args.no_sentence_key:
        SENTENCE_KEY = None
    if args.no_phrase_key:
        PHRASE_KEY = None
    if args.no_name_keys:
        NAME_KEYS = None
    print(f"the sentence's proposals key: {SENTENCE_KEY or 'not used'};"
          f" the phrase key: {PHRASE_KEY or 'not used'};"
          f" the name keys: {'/'.join(NAME_KEYS) if NAME_KEYS else 'not used'}")  # fmt: skip
    team, held, starter_docs = load_corpus(args.corpus)
    held = held[: args.docs]
    index = None
    if args.db is not None:
        with Store(args.db) as store:
            index = KnowledgeBase.load(store.kb).index
    spans = sum(len(set(d.spans)) for d in held)
    print(f"held out: {len(held)} news articles, {spans} gold spans; gazetteer:"
          f" {'yes' if index is not None else 'no'}; threshold {THRESHOLD}; screen {SIZE}")  # fmt: skip
    for name in args.setups.split(","):
        setup = SETUPS[name]
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "project.db"
            make_database(db, setup, team, held, starter_docs, args.db)
            started = time.perf_counter()
            results = asyncio.run(replay(db, setup, held))
            seconds = time.perf_counter() - started
        report(setup, results, simulated(setup, team, held, starter_docs, index if setup.gazetteer else None),
               seconds)  # fmt: skip


if __name__ == "__main__":
    main()
