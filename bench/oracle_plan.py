"""The oracle's planner: the cheapest sequence of the annotation screen's own keys that puts one gold span
in the layer, from the screen as it is now (``bench/oracle.py`` presses the keys for real).

A search over the selection states ``(anchor token, cursor token)`` the screen's keys lead to, each key
costing one (a search costs ``/``, its characters, Enter, and one ``n`` per match skipped):

- moves (the cursor alone): ← → w b ↑ ↓ PageUp PageDown ctrl+↑ ctrl+↓ Home End ctrl+Home G, Esc;
- the last search again: n N (the needle the screen has, before the plan searches anew);
- a search ``/`` for text starting at the span's first or last token, then Enter (and n's);
- y (or X) away from a proposal: the next proposal is selected; X on a wrong proposal (one that overlaps
  no gold span still to tag) rejects it and selects the next;
- extending (shift+← → ↑ ↓, W, B) with the anchor on the span's first or last token, and O (swap the
  ends) with the cursor there; V, the name or phrase at the cursor, where it overlaps the span; j and
  k, the next and previous name no span holds (selected whole);

and the ways to finish: the sentence key (``A``) where every proposal of the cursor's sentence is right
and the span's is among them (it takes them all); y on the span's own proposal (right extent and label);
a label key with the span
selected; a label key on a selection overlapping it and the edge keys ``< , > .`` a token each (tag,
then fix the edges: a proposal of the wrong extent, or a selection cheaper to fix than to make).

The moves are computed with the article's own functions (its wrapping, word moves, paragraph breaks);
what the plan foresees is checked after it is pressed (``bench/oracle.py``), so a wrong foresight costs
keys, never a wrong figure.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from annotator.model import Span
from annotator.spans import overlaps
from annotator.text import phrase_at, sentence_around, word_token
from annotator.tui.article_layout import first_from, overlapping_one, paragraph_break
from annotator.tui.jumps import name_from
from annotator.tui.proposals import overlapping
from annotator.tui.screens.article_screen import find_match
from annotator.tui.widgets.article import ArticleView

Gold = tuple[int, int, str]
Goal = tuple[int, int] | None
"""Where the last up or down move put the cursor and the column it aimed at: the screen aims the next
one at that column while the cursor is still there (``ArticleView._vertical``, vim's curswant)."""
State = tuple[int, int, bool, frozenset[int], Goal]
"""``(anchor, cursor, searched, rejected, goal)``: ``searched`` once the plan has searched (``n`` is
planned from the start only); ``rejected``: the starts of the proposals the plan has rejected so far
(gone from the screen); ``goal``: :data:`Goal`."""
_VERTICAL = frozenset({"up", "down", "pagedown", "pageup", "shift+up", "shift+down"})
Step = tuple[list[tuple[str, str]], tuple[int, int, bool, frozenset[int]]]
"""Keys and the ``(anchor, cursor, searched, rejected)`` they lead to (:func:`_edges` adds the goal)."""

MAX_QUERY = 24
"""Characters a search may type."""
MAX_SKIPS = 6
"""``n`` presses after a search's Enter."""

PURPOSES = ("reach", "select", "reject", "accept", "tag", "edge", "remove")
"""What a key is spent on: moving to the span (moves, searches, jumps to a proposal), making the
selection (shift, W, B, O, Esc, or the edge keys after a label key on a selection made by hand),
rejecting a wrong proposal on the way, the key that takes the span's
proposal, the label key, fixing an edge, and removing a span a plan left that is not gold (``x``)."""

_MOVES = ("right", "left", "w", "b", "ctrl+down", "ctrl+up", "ctrl+home", "G")
_LINE_MOVES = ("up", "down", "pagedown", "pageup", "home", "end")
_EXTENDS = ("shift+right", "shift+left", "W", "B")
_LINE_EXTENDS = ("shift+down", "shift+up")
"""Moves by lines go by the wrapping, which a rejection changes (a proposal's label goes): none is
planned after an X."""
_QUERY_CHARS = re.compile(r"[^\n\t\r]+")


@dataclass
class Plan:
    keys: list[tuple[str, str]]
    """``(key, purpose)`` in the order pressed; a search's characters are one key each."""
    kind: str
    """How the span is made: ``accepted`` (y on its proposal), ``relabelled`` (a label key on a proposal
    of its extent), ``proposal + edges`` (a label key on an overlapping proposal, then edge keys), ``by
    hand`` (a label key on a selection made, edges fixed or not)."""
    foreseen: tuple[int, int]
    """The selection ``(start, end)`` offsets the plan ends on (before it finishes)."""

    @property
    def cost(self) -> int:
        return len(self.keys)


@dataclass
class Screen:
    """What the planner reads of the screen (the live article; nothing is changed)."""

    view: ArticleView
    needle: str
    label_keys: dict[str, str]
    spans: Sequence[Span]
    remaining: Sequence[Gold]
    """The gold spans not yet in the layer (the current one included)."""
    sentence_key: str | None = None
    """The key that takes the proposals of the cursor's sentence (None: not planned)."""
    match: tuple[int, tuple[int, int]] | None = None
    """Where the screen's last match starts and the selection it made (``n`` goes on from the match
    while that selection stays)."""
    phrase_key: str | None = None
    """The key that selects the name or phrase at the cursor (None: not planned)."""
    name_keys: tuple[str, str] | None = None
    """The keys that select the next and the previous name no span holds (None: not planned)."""
    _cache: dict[tuple[str, int, int | None], int] = field(default_factory=dict)
    _names: dict[tuple[int, int, int], tuple[int, int] | None] = field(default_factory=dict)
    _lines: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    _open: dict[frozenset[int], list[Span]] = field(default_factory=dict)
    _remaining: frozenset[Gold] | None = None

    @property
    def remaining_set(self) -> frozenset[Gold]:
        if self._remaining is None:
            self._remaining = frozenset(self.remaining)
        return self._remaining

    def proposals(self, rejected: frozenset[int]) -> list[Span]:
        """The proposals shown once those starting at ``rejected`` are rejected."""
        if not rejected:
            return self.view.proposals
        found = self._open.get(rejected)
        if found is None:
            found = self._open[rejected] = [p for p in self.view.proposals if p.start not in rejected]
        return found

    def name(self, first: int, last: int, step: int) -> tuple[int, int] | None:
        """Where the name key of ``step`` goes from the selection of tokens ``first`` to ``last``."""
        key = (first, last, step)
        if key not in self._names:
            self._names[key] = name_from(self.view.text, self.tokens, self.spans, first, last, step)
        return self._names[key]

    @property
    def tokens(self) -> Sequence[tuple[int, int]]:
        return self.view.tokens

    def selection(self, state: State) -> tuple[int, int]:
        first, last = sorted(state[:2])
        return self.tokens[first][0], self.tokens[last][1]

    def tokens_of(self, start: int, end: int) -> tuple[int, int]:
        """The first and last token of ``select_offsets(start, end)``."""
        tokens = self.tokens
        first = _index_at(tokens, start)
        last = max(_index_at(tokens, max(end - 1, start)), first)
        if last < len(tokens) and tokens[last][0] >= end and last > first:
            last -= 1
        return first, last

    def move(self, key: str, cursor: int, column: int | None = None) -> int:
        """Where a move from token ``cursor`` puts the cursor (the screen's own functions); ``column``:
        the one an up or down move aims at, when not the cursor's (:data:`Goal`)."""
        cached = self._cache.get((key, cursor, column))
        if cached is not None:
            return cached
        aim = self._column(cursor) if column is None else column
        view, tokens, top = self.view, self.tokens, len(self.tokens) - 1
        layout = view.text_layout
        offset = tokens[cursor][0]
        target = cursor
        if key in ("right", "shift+right"):
            target = min(cursor + 1, top)
        elif key in ("left", "shift+left"):
            target = max(cursor - 1, 0)
        elif key in ("w", "b", "W", "B"):
            target = word_token(tokens, cursor, 1 if key in ("w", "W") else -1, to_last=key == "W")
        elif key in ("up", "down", "shift+up", "shift+down"):
            line = layout.line_of(offset) + (1 if key.endswith("down") else -1)
            if 0 <= line < len(layout.lines):
                target = self._token_at(line, aim)
        elif key in ("pagedown", "pageup"):
            height = max(view.scrollable_content_region.height - 1, 1)
            delta = 1 if key == "pagedown" else -1
            line = min(max(layout.line_of(offset) + delta * height, 0), len(layout.lines) - 1)
            target = self._token_at(line, aim)
        elif key in ("ctrl+down", "ctrl+up"):
            found = paragraph_break(view.text, offset, 1 if key == "ctrl+down" else -1)
            target = min(_index_at(tokens, found), top)
        elif key in ("home", "end"):
            target = layout.edge_token(tokens, offset, -1 if key == "home" else 1)
        elif key == "ctrl+home":
            target = 0
        elif key == "G":
            target = top
        self._cache[key, cursor, column] = target
        return target

    def aimed(self, cursor: int, goal: Goal) -> int:
        """The column an up or down move from ``cursor`` aims at."""
        return goal[1] if goal is not None and goal[0] == cursor else self._column(cursor)

    def _line(self, line: int) -> list[tuple[int, int, int]]:
        """The tokens on ``line``: ``(index, left, right)`` cells, as ``ArticleLayout.token_at`` counts
        them (computed once a plan)."""
        found = self._lines.get(line)
        if found is None:
            layout, tokens = self.view.text_layout, self.tokens
            start, end = layout.lines[line]
            found = []
            i = _index_at(tokens, start)
            while i < len(tokens) and tokens[i][0] < end:
                left = layout.cells(start, tokens[i][0])
                found.append((i, left, left + layout.cells(tokens[i][0], tokens[i][1])))
                i += 1
            self._lines[line] = found
        return found

    def _column(self, cursor: int) -> int:
        """``ArticleLayout.column`` of the token's start."""
        layout = self.view.text_layout
        line = layout.line_of(self.tokens[cursor][0])
        for i, left, _ in self._line(line):
            if i == cursor:
                return left
        return layout.column(self.tokens[cursor][0])

    def _token_at(self, line: int, column: int) -> int:
        """``ArticleLayout.token_at``: the token on ``line`` nearest to ``column``."""
        lines = self.view.text_layout.lines
        line = min(max(line, 0), len(lines) - 1)
        best, best_distance = min(_index_at(self.tokens, lines[line][0]), len(self.tokens) - 1), None
        for i, left, right in self._line(line):
            distance = 0 if left <= column < right else min(abs(column - left), abs(column - right + 1))
            if best_distance is None or distance < best_distance:
                best, best_distance = i, distance
        return max(best, 0)


def _index_at(tokens: Sequence[tuple[int, int]], offset: int) -> int:
    from annotator.text import token_index_at

    return token_index_at(tokens, offset)


def plan(screen: Screen, gold: Gold, remove: bool = False) -> Plan | None:
    """The cheapest plan found for ``gold``; None when its edges are not on token edges (the screen's
    selection is whole tokens: it cannot hold it)."""
    tokens = screen.tokens
    starts = {t[0]: i for i, t in enumerate(tokens)}
    ends = {t[1]: i for i, t in enumerate(tokens)}
    if gold[0] not in starts or gold[1] not in ends:
        return None
    a, b = starts[gold[0]], ends[gold[1]]
    view = screen.view
    start: State = (view.anchor_token, view.cursor, False, frozenset(), view._vertical)
    best: tuple[int, list[tuple[str, str]], str, State] | None = None
    distance: dict[State, int] = {start: 0}
    came: dict[State, tuple[State, list[tuple[str, str]]]] = {}
    queue: list[tuple[int, int, State]] = [(0, 0, start)]
    order = 0
    while queue:
        cost, _, state = heapq.heappop(queue)
        if best is not None and cost + 1 >= best[0]:
            break  # every finish costs a key at least
        if cost > distance[state]:
            continue
        finishes = _removal(screen, state, gold) if remove else _finishes(screen, state, gold, a, b)
        for keys, kind in finishes:
            if best is None or cost + len(keys) < best[0]:
                best = (cost + len(keys), keys, kind, state)
        for keys, following in _edges(screen, state, gold, a, b, state == start):
            total = cost + len(keys)
            if total < distance.get(following, total + 1):
                distance[following] = total
                came[following] = (state, keys)
                order += 1
                heapq.heappush(queue, (total, order, following))
    if best is None:
        return None
    _, finish, kind, state = best
    path: list[tuple[str, str]] = list(finish)
    at = state
    while at in came:
        at, keys = came[at]
        path[:0] = keys
    return Plan(path, kind, screen.selection(state))


def _edges(
    screen: Screen, state: State, gold: Gold, a: int, b: int, first: bool
) -> Iterator[tuple[list[tuple[str, str]], State]]:
    """Every key (or run of keys) from ``state`` and the state it leads to: an up or down move aims at
    the column the goal keeps, and makes the goal; any other keeps it as it was (the screen's rule)."""
    goal = state[4]
    aim = screen.aimed(state[1], goal)
    for keys, (anchor, cursor, searched, rejected) in _edges_of(screen, state, gold, a, b, first, aim):
        moved = len(keys) == 1 and keys[0][0] in _VERTICAL
        yield keys, (anchor, cursor, searched, rejected, (cursor, aim) if moved else goal)


def _edges_of(
    screen: Screen, state: State, gold: Gold, a: int, b: int, first: bool, aim: int
) -> Iterator[Step]:
    anchor, cursor, searched, rejected, _ = state
    wrapped_as_shown = not rejected
    for key in _MOVES + (_LINE_MOVES if wrapped_as_shown else ()):
        target = screen.move(key, cursor, aim if key in _VERTICAL else None)
        if (target, target) != (anchor, cursor):
            yield [(key, "reach")], (target, target, searched, rejected)
    if anchor != cursor:
        yield [("escape", "select")], (cursor, cursor, searched, rejected)
    if anchor in (a, b):
        for key in _EXTENDS + (_LINE_EXTENDS if wrapped_as_shown else ()):
            target = screen.move(key, cursor, aim if key in _VERTICAL else None)
            if target != cursor:
                yield [(key, "select")], (anchor, target, searched, rejected)
    if cursor in (a, b) and anchor != cursor:
        yield [("O", "select")], (cursor, anchor, searched, rejected)
    if screen.phrase_key is not None:
        first_token, last_token = phrase_at(screen.view.text, screen.tokens, cursor)
        if (first_token, last_token) != (anchor, cursor) and a <= last_token and first_token <= b:
            yield [(screen.phrase_key, "select")], (first_token, last_token, searched, rejected)
    if screen.name_keys is not None:
        first_token, last_token = sorted((anchor, cursor))
        for key, step in zip(screen.name_keys, (1, -1), strict=True):
            found = screen.name(first_token, last_token, step)
            if found is not None and found != (anchor, cursor):
                yield [(key, "reach")], (*found, searched, rejected)
    selection = screen.selection(state)
    proposals = screen.proposals(rejected)
    if proposals:
        on = overlapping_one(proposals, *selection)
        exact = on is not None and (on.start, on.end) == selection
        if not exact:
            following = first_from(proposals, selection[0])
            if following is not None:
                at = screen.tokens_of(following.start, following.end)
                yield [("y", "reach")], (*at, searched, rejected)
        elif on is not None and not any(overlaps(on.start, on.end, g[0], g[1]) for g in screen.remaining):
            gone = rejected | {on.start}
            following = first_from(screen.proposals(gone), on.end)
            if following is not None:
                at = screen.tokens_of(following.start, following.end)
                yield [("X", "reject")], (*at, searched, gone)
    if screen.needle and first:
        yield from _again(screen, selection)
    if first:
        yield from _searches(screen, selection[0], a, b)


def _again(screen: Screen, selection: tuple[int, int]) -> Iterator[Step]:
    """The screen's last search again: 1 to :data:`MAX_SKIPS` ``n`` (or ``N``), each going on from the
    match before (from the last match while its selection stays, else from the selection)."""
    base = selection[0]
    if screen.match is not None and screen.match[1] == selection:
        base = screen.match[0]
    for key, backwards in (("n", False), ("N", True)):
        at = base
        for count in range(1, MAX_SKIPS + 1):
            found = find_match(screen.view.text, screen.needle, at + (0 if backwards else 1), backwards)
            if found is None:
                break
            at = found[0]
            yield [(key, "reach")] * count, (*screen.tokens_of(found[0], found[1]), True, frozenset())


def _searches(screen: Screen, selected: int, a: int, b: int) -> Iterator[Step]:
    """``/`` + text from the span's first (or last) token's start + Enter (+ n's): the selection the
    screen's search gives."""
    text = screen.view.text
    for token in dict.fromkeys((a, b)):
        at = screen.tokens[token][0]
        typed = _QUERY_CHARS.match(text, at)
        if typed is None:
            continue
        for length in range(1, min(MAX_QUERY, typed.end() - at) + 1):
            needle = text[at : at + length]
            if needle.endswith(" "):
                continue
            skips = _skips(text, needle, selected + 1, at)
            if skips is None:
                continue
            keys = [("slash", "reach"), *((c, "reach") for c in needle), ("enter", "reach")]
            keys += [("n", "reach")] * skips
            yield keys, (*screen.tokens_of(at, at + length), bool(screen.needle), frozenset())


def _skips(text: str, needle: str, after: int, at: int) -> int | None:
    """How many ``n`` after the search's Enter bring it to the match at ``at`` (None: more than
    :data:`MAX_SKIPS`)."""
    position = after
    for skips in range(MAX_SKIPS + 1):
        found = find_match(text, needle, position)
        if found is None:
            return None
        if found[0] == at:
            return skips
        position = found[0] + 1
    return None


def _removal(screen: Screen, state: State, span: Gold) -> Iterator[tuple[list[tuple[str, str]], str]]:
    """x with the span selected: a span a plan left that is not gold (its foresight failed)."""
    if screen.selection(state) == (span[0], span[1]):
        yield [("x", "remove")], "removed"


def _finishes(
    screen: Screen, state: State, gold: Gold, a: int, b: int
) -> Iterator[tuple[list[tuple[str, str]], str]]:
    selection = screen.selection(state)
    label_key = screen.label_keys[gold[2]]
    proposals = screen.proposals(state[3])
    if screen.sentence_key is not None and proposals:
        first, last = sentence_around(screen.view.text, screen.tokens, state[1])
        taken = overlapping(proposals, [(screen.tokens[first][0], screen.tokens[last - 1][1])])
        right = {(p.start, p.end, p.label) for p in taken}
        if gold in right and right <= screen.remaining_set:  # the sentence's proposals are all right
            yield [(screen.sentence_key, "accept")], "sentence accepted"
    proposal = overlapping_one(proposals, *selection) if proposals else None
    on_proposal = proposal is not None and (proposal.start, proposal.end) == selection
    if selection == (gold[0], gold[1]):
        if on_proposal and proposal is not None and proposal.label == gold[2]:
            yield [("y", "accept")], "accepted"
        else:
            yield [(label_key, "tag")], "relabelled" if on_proposal else "by hand"
        return
    if not overlaps(selection[0], selection[1], gold[0], gold[1]):
        return
    if any(s.start == selection[0] and s.end == selection[1] for s in screen.spans):
        return  # the label key would relabel that span
    if any(s.label == gold[2] and selection[0] <= s.start and s.end <= selection[1] for s in screen.spans):
        return  # the label key would take the place of that span
    first, last = sorted(state[:2])
    edge = "edge" if on_proposal else "select"  # by hand, moving an edge is making the selection
    keys = [(label_key, "tag")]
    keys += [("less_than_sign", edge)] * max(first - a, 0)
    keys += [("greater_than_sign", edge)] * max(b - last, 0)
    keys += [("comma", edge)] * max(a - first, 0)
    keys += [("full_stop", edge)] * max(last - b, 0)
    yield keys, "proposal + edges" if on_proposal else "by hand"
