"""The document list (``g``): every document of the screen with its state, filtered as you type (a key's
start first, then keys holding the letters, then those holding them in order), Enter opens one."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.literal import visible
from annotator.store import Store
from annotator.tui.typed_ahead import HandingOnInput

GG_S = 0.5
"""``g`` typed this soon after the list opened (on ``g``) and then nothing for :data:`GG_WAIT_S` is vim's
``gg``: the list closes and the cursor goes to the start of the document. Later, as ``G``, or with more
letters at once (``g`` then ``gnaf`` typed in one go), it is the filter's first letter as any other:
where the keys could mean either, the list stays (it loses nothing)."""
GG_WAIT_S = 0.25
MAX_ROWS = 200
"""Rows listed at most (the best matches): a filter narrows a long corpus."""
STATE_STYLE = {"done": "green", "in_progress": "yellow", "todo": "dim"}


def match_rank(query: str, key: str) -> int | None:
    """How well ``key`` matches ``query`` (any case): 0 the same, 1 it starts with it, 2 it holds it,
    3 it holds its letters in order (fuzzy); None: not at all. An empty query matches everything (0)."""
    q, k = query.casefold(), key.casefold()
    if q == k or not q:
        return 0
    if k.startswith(q):
        return 1
    if q in k:
        return 2
    position = 0
    for char in q:
        position = k.find(char, position) + 1
        if position == 0:
            return None
    return 3


def matching(query: str, keys: Sequence[str]) -> list[int]:
    """Positions in ``keys`` matching ``query``, the best first (in their order within a rank)."""
    ranked = [(rank, i) for i, key in enumerate(keys) if (rank := match_rank(query, key)) is not None]
    return [i for _, i in sorted(ranked)]


def document_picker(
    store: Store,
    layer: str,
    user: str,
    doc_ids: list[int],
    index: int,
    chosen: Callable[[int | None], object] | None = None,
) -> DocumentPicker:
    """The list of ``doc_ids`` with each one's state in ``layer`` and whether ``user`` is assigned it;
    ``chosen`` is called with the answer as the list closes."""
    statuses = store.progress.statuses(layer)
    assigned = {d for d, users in store.teams.assignments().items() if user in users}
    keys = store.documents.keys()
    return DocumentPicker(
        [keys[doc_id] for doc_id in doc_ids],
        [statuses.get(doc_id, "todo") for doc_id in doc_ids],
        [doc_id in assigned for doc_id in doc_ids],
        index,
        chosen,
    )


class FilterInput(HandingOnInput):
    """Enter and Esc close the list in the input's own turn (as the prompt's do), not once the app runs
    their bindings: the keys typed after them are on their way to the input already, and it hands them
    on to the article (``graw`` Enter ``a`` tags in the document opened)."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if (
            event.key in ("enter", "escape")
            and self.app.focused is self
            and isinstance(screen, DocumentPicker)
        ):
            event.stop()
            event.prevent_default()
            screen.close(event.key == "enter")
            return
        await super()._on_key(event)


class DocumentPicker(ModalScreen[int | None]):
    """Answers the position (in the screen's order) of the document chosen, None on Esc and on ``gg``
    (which moves the article under it to its start); ``chosen`` is called with it at once, before the
    keys typed after the Enter reach the screen under it."""

    DEFAULT_CSS = """
    DocumentPicker { align: center middle; }
    DocumentPicker > Vertical { width: 80%; max-width: 100; height: 80%; border: round $primary;
                                background: $surface; }
    DocumentPicker #list { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close(False)", "Close"),
        Binding("up", "step(-1)", "Previous", show=False),
        Binding("down", "step(1)", "Next", show=False),
    ]

    def __init__(
        self,
        keys: Sequence[str],
        states: Sequence[str],
        assigned: Sequence[bool],
        current: int,
        chosen: Callable[[int | None], object] | None = None,
    ) -> None:
        super().__init__()
        self.chosen = chosen
        self.keys = list(keys)
        self.states = list(states)
        self.assigned = list(assigned)
        self.current = current
        self.shown: list[int] = []
        self.filtered_by = ""
        """What the list is filtered by (the input's value once its change has come)."""
        self.highlighted = 0
        self.opened = time.monotonic()

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            done = sum(state == "done" for state in self.states)
            box.border_title = f"Documents: {done} of {len(self.keys)} done (type to filter, Enter opens)"
            yield FilterInput(placeholder="key, its start, or its letters in order", id="filter")
            yield Static(id="list")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#filter", Input))  # now: the keys typed with g are on their way
        self._filter("")
        self.highlighted = self.shown.index(self.current) if self.current in self.shown else 0
        self._draw()
        self.call_after_refresh(self._draw)  # again at the list's real height, once it is laid out

    def on_resize(self) -> None:
        self._draw()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value == "g" and time.monotonic() - self.opened < GG_S:
            self.set_timer(GG_WAIT_S, self._gg)
        self._filter(event.value)
        self._draw()

    def _gg(self) -> None:
        """Vim's ``gg``: the list closes (the same document stays open) and the article under it goes to
        its start, as ctrl+home does there."""
        if self.is_current and self.query_one("#filter", Input).value == "g":
            under = self.app.screen_stack[-2]
            self.close(False)
            article = getattr(under, "article", None)
            if article is not None:
                article.action_ends(-1)

    def _filter(self, query: str) -> None:
        self.filtered_by = query
        self.shown = matching(query.strip(), self.keys)
        self.highlighted = 0

    def _draw(self) -> None:
        lines = Text()
        if not self.shown:
            lines.append("no document matches", "dim")
        window = max(self.query_one("#list").size.height, 10)
        first = max(0, min(self.highlighted - window // 2, len(self.shown) - window))
        for row, position in enumerate(self.shown[first : first + min(window, MAX_ROWS)], first):
            state = self.states[position]
            style = "reverse" if row == self.highlighted else ""
            lines.append(f"{position + 1:>5}  ", "dim")
            lines.append(visible(self.keys[position]), style)
            lines.append(f"  {state.replace('_', ' ')}", STATE_STYLE.get(state, ""))
            if self.assigned[position]:
                lines.append("  assigned", "dim")
            if position == self.current:
                lines.append("  (open)", "dim")
            lines.append("\n")
        self.query_one("#list", Static).update(lines)

    def action_step(self, delta: int) -> None:
        if self.shown:
            self.highlighted = min(max(self.highlighted + delta, 0), len(self.shown) - 1)
            self._draw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close(True)

    def close(self, take: bool) -> None:
        """Close with the highlighted document (``take``) or none; ``chosen`` hears it now."""
        if not self.is_current:
            return
        typed = self.query_one("#filter", Input).value
        if typed != self.filtered_by:  # typed ahead with the Enter: the input's Changed is on its way
            self._filter(typed)
        answer = self.shown[self.highlighted] if take and self.shown else None
        self.dismiss(answer)
        if self.chosen is not None:
            self.chosen(answer)

    def action_close(self, take: bool) -> None:
        self.close(take)

    def on_key(self, event: events.Key) -> None:
        if event.key in ("up", "down"):  # the input would take them for its cursor
            event.stop()
            self.action_step(-1 if event.key == "up" else 1)
