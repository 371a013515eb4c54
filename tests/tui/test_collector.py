"""The garbage collector on the annotation screen: the young generations stay automatic while keys come,
the KB (and all that lives as long as the screen) is frozen once loaded so no collection traverses it,
and no collection is forced on a timer while the keys keep coming."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

from annotator.importing import find_files, read_files
from annotator.store import Store
from annotator.tui.app import make_app
from annotator.tui.keystrokes import IdleCollector
from tests.conftest import SEED


def test_the_only_collection_on_a_timer_waits_for_the_keys_to_pause() -> None:
    timers: list[float] = []

    def every(seconds: float, call: Callable[[], None]) -> None:
        timers.append(seconds)

    before = gc.get_threshold()
    collector = IdleCollector()
    try:
        collector.start(every)
        assert gc.isenabled()
        assert timers == [0.5]  # the idle check only: no collection every 30 s whatever the keys
        assert gc.get_threshold() == (before[0], before[1], 100)  # a full one rarely between pauses
    finally:
        collector.stop()
    assert gc.get_threshold() == before


async def test_with_the_kb_loaded_keys_run_with_young_collections_and_the_kb_is_never_traversed(
    db: Path,
) -> None:
    store = Store(db)
    store.documents.import_records(read_files(find_files([SEED], "auto")), default_layer="alice")
    app = make_app(store, "alice")
    young: list[int] = []

    def heard(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            young.append(info["generation"])

    try:
        async with app.run_test(size=(100, 30)) as pilot:
            while app.screen.kb is None:  # type: ignore[attr-defined]
                await pilot.pause(0.05)
            await pilot.pause()
            kb = app.screen.kb  # type: ignore[attr-defined]
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0
            tracked = {id(o) for o in gc.get_objects()}
            assert id(kb) not in tracked and id(kb.learned) not in tracked  # frozen: never traversed
            gc.callbacks.append(heard)
            for _ in range(20):
                await pilot.press("shift+right", "right", "p", "u")
            gc.callbacks.remove(heard)
            assert 0 in young  # the cycles each key makes are freed as Python runs, not left to grow
        assert gc.get_freeze_count() == 0  # the screen gone: nothing of it is kept frozen
    finally:
        if heard in gc.callbacks:
            gc.callbacks.remove(heard)
        store.close()
