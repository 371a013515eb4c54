"""The article: wrapped once per width, only visible lines rendered, each line's strip cached.

Offsets are code points of the stored text; the view keeps a token cursor and an anchor, so a selection
is always whole tokens. Where each character sits is ``ArticleLayout``'s (``l`` hides the labels' tags);
how a line looks is ``ArticleLook``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.keymap import ARTICLE
from annotator.model import Span
from annotator.text import Token, phrase_at, token_index_at
from annotator.tui.article_layout import ArticleLayout, first_from, overlapping_one, paragraph_break
from annotator.tui.bindings import key_bindings
from annotator.tui.typed_ahead import OwnKeysAtOnce
from annotator.tui.widgets.article_lines import ArticleLook, tag_cells
from annotator.tui.widgets.frame_style import FrameStyle
from annotator.tui.widgets.line_strips import LineStrips


def keep_row_visible(view: ScrollView, row: int) -> None:
    """Scroll ``view`` the least that brings virtual row ``row`` on screen."""
    top = view.scroll_offset.y
    height = view.scrollable_content_region.height
    if row < top:
        view.scroll_to(y=row, animate=False)
    elif height and row >= top + height:
        view.scroll_to(y=row - height + 1, animate=False)


def changed_ranges(
    old: tuple[int, int] | None, new: tuple[int, int] | None, cursors: list[Token]
) -> list[tuple[int, int]]:
    """What a selection moving from ``old`` to ``new`` changes on screen: the edges that moved, and the
    cursor tokens (where it was and where it is); all of a selection that appears or goes, or that moves
    clear of where it was (a page down: the two tokens, not the page between them)."""
    if old is None or new is None:
        return [region for region in (old, new) if region is not None]
    if old[1] <= new[0] or new[1] <= old[0]:
        return [old, new, *cursors]
    moved = [(min(a, b), max(a, b)) for a, b in ((old[0], new[0]), (old[1], new[1])) if a != b]
    return [*moved, *cursors]


class MouseSelecting(ScrollView):
    """Selecting tokens with the mouse: press, drag (scrolling at the edges), double click."""

    tokens: Sequence[Token]
    text_layout: ArticleLayout
    anchor_token: int
    _dragging: bool

    def select_tokens(self, anchor: int, cursor: int) -> None: ...

    def _token_at(self, line: int, column: int) -> int:
        raise NotImplementedError

    def _token_under(self, event: events.MouseEvent) -> int | None:
        if not self.tokens:
            return None
        region = self.scrollable_content_region
        line = event.y - (region.y - self.region.y) + self.scroll_offset.y
        column = event.x - (region.x - self.region.x) + self.scroll_offset.x
        return self._token_at(min(max(line, 0), len(self.text_layout.lines) - 1), column)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        token = self._token_under(event)
        if token is not None:
            self._dragging = True
            self.capture_mouse()
            self.select_tokens(self.anchor_token if event.shift else token, token)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        height = self.scrollable_content_region.height
        if event.y < 0:
            self.scroll_to(y=self.scroll_offset.y - 1, animate=False)
        elif event.y >= height:
            self.scroll_to(y=self.scroll_offset.y + 1, animate=False)
        token = self._token_under(event)
        if token is not None:
            self.select_tokens(self.anchor_token, token)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        if event.chain == 2:
            token = self._token_under(event)
            if token is not None:
                self.select_tokens(token, token)


class ProposalMarks:
    """The proposals an article shows: the layout's marks, each with its label after it."""

    text_layout: ArticleLayout

    def _relaid(self, change: Callable[[ArticleLayout], tuple[list[int], int | None] | None]) -> None: ...

    @property
    def proposals(self) -> list[Span]:
        """Pre-annotation proposals (not spans yet): sorted, never overlapping one another; each has its
        label after it (the layout's marks)."""
        return self.text_layout.marks

    def set_proposals(self, proposals: Sequence[Span]) -> None:
        self._relaid(lambda layout: layout.set_marks(proposals))

    def change_proposals(self, gone: Sequence[Span], new: Sequence[Span]) -> None:
        """Take away proposals shown (``gone``: the objects in :attr:`proposals`) and show ``new`` ones."""
        if gone or new:
            self._relaid(lambda layout: layout.change_marks(gone, new))

    def add_proposals(self, new: Sequence[Span]) -> None:
        if new:
            self._relaid(lambda layout: layout.change_marks([], new))

    def remove_proposals(self, gone: Sequence[Span]) -> None:
        keys = {(s.start, s.end, s.label) for s in gone}
        shown = [self.proposal_at(s.start, s.end) for s in gone]
        found = list(dict.fromkeys(p for p in shown if p is not None and (p.start, p.end, p.label) in keys))
        if found:
            self._relaid(lambda layout: layout.change_marks(found, []))

    def proposal_at(self, start: int, end: int) -> Span | None:
        """The proposal overlapping ``[start, end)``, if any."""
        return overlapping_one(self.proposals, start, end)

    def next_proposal(self, offset: int) -> Span | None:
        """The first proposal starting at or after ``offset``, else the first of all (wrapping)."""
        return first_from(self.proposals, offset)


class ArticleView(FrameStyle, OwnKeysAtOnce, ProposalMarks, LineStrips, MouseSelecting, can_focus=True):
    """A scrollable, token-addressed view of one article."""

    ALLOW_SELECT = False
    HELP_TITLE = "Article (when it has the focus)"
    DEFAULT_CSS = """
    ArticleView { background: $surface; padding: 0 1; overflow-x: hidden; scrollbar-gutter: stable; }
    """
    BINDINGS = key_bindings(ARTICLE)

    class SelectionChanged(Message):
        """The selection moved; ``start``/``end`` are its offsets in the text."""

        def __init__(self, view: ArticleView, start: int, end: int) -> None:
            super().__init__()
            self.view = view
            self.start = start
            self.end = end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.tokens: Sequence[Token] = []
        self.cursor = 0
        self.anchor_token = 0
        self._vertical: tuple[int, int] | None = None
        """Where the last up or down move put the cursor, and the column it aimed at."""
        self.show_labels = True
        self._look = ArticleLook()
        self.text_layout = ArticleLayout("", 80)
        self.flags: list[Span] = []
        """Ranges flagged for a decision, sorted."""
        self._cache: dict[tuple[int, int], Strip] = {}
        """Drawn lines by ``(start, end)`` offsets: a line a re-wrap above it moved down keeps its strip."""
        self._painted = {}
        self._dragging = False
        self.selection_listener: Callable[[], None] | None = None
        """Called at once (same tick as the redraw) when the selection moves, before the message."""
        self.rewrapped_listener: Callable[[], None] | None = None
        """Called when the text has been wrapped again to a new width (its lines are others)."""

    # --- content ---------------------------------------------------------------------------------

    def load(self, text: str, tokens: Sequence[Token], spans: Sequence[Span], cursor: int = 0) -> None:
        """Show ``text``; it is wrapped when first drawn (or measured), at the width the view has then."""
        self.text = text
        self.tokens = tokens
        self.cursor = self.anchor_token = min(cursor, max(len(tokens) - 1, 0))
        self._vertical = None  # another text: the last document's column says nothing here
        self.text_layout = ArticleLayout(text, self._width(), spans, self._tag_cells())  # no proposals yet
        self._laid_out()
        self.scroll_to(0, 0, animate=False)
        self._post_selection()

    @property
    def laid_out(self) -> bool:
        """Whether the view has its width and its text is wrapped to it (before, no line is known)."""
        return self.scrollable_content_region.width > 0 and self.text_layout.laid_out

    def position(self) -> tuple[int, int] | None:
        """The cursor's line and the number of lines, once laid out (None before)."""
        if not self.laid_out:
            return None
        cursor = self.tokens[self.cursor] if self.tokens else (0, 0)
        return self._line_of(cursor[0]), len(self.text_layout.lines)

    @property
    def spans(self) -> list[Span]:
        """This document's spans, sorted by start (longer first)."""
        return self.text_layout.spans

    def set_label_styles(self, styles: dict[str, Style]) -> None:
        self._look = ArticleLook(styles)
        self._cache.clear()
        self.refresh()

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show ``spans``: only the lines where they differ from those shown are drawn again (after an
        undo, one or two), unless most differ."""
        self._relaid(lambda layout: layout.set_spans(spans, self._tag_cells()))

    def change_spans(self, removed: Sequence[Span], added: Sequence[Span]) -> None:
        """Apply an edit without laying out the whole text again: only the lines it touches are redrawn."""
        self._relaid(lambda layout: layout.change(removed, added))

    def _relaid(self, change: Callable[[ArticleLayout], tuple[list[int], int | None] | None]) -> None:
        """Change the layout's spans or marks and draw what moved: the lines touched, or every line
        from the first that moved. The text at the top of the view stays there (a tag that moves words
        to the next line above it does not push what is read down)."""
        layout = self.text_layout
        top = self.scroll_offset.y
        anchor = layout.lines[min(top, len(layout.lines) - 1)][0] if self.laid_out else None
        cursor_shown = anchor is not None and self._cursor_row_shown()
        changed = change(layout)
        if changed is None:
            self._laid_out()
        else:
            touched, moved_from = changed
            if not layout.laid_out:
                self.refresh()
                return
            lines = layout.lines
            if len(touched) > len(self._cache):  # thousands (a new window's proposals): all drawn anew
                self._cache.clear()
                touched = [line for line in touched if top <= line < top + self.size.height]
            for line in touched:
                self._cache.pop(lines[line], None)
            bottom = top + self.size.height  # lines off screen are drawn when scrolled to
            for line in touched:  # also above the first line that moved (it may be far below)
                if top <= line < bottom:
                    self.refresh_lines(line)
            if moved_from is None:
                return
            self._fit_height()  # a tag moved words to another line: every line below moved
            if max(moved_from, top) < bottom:
                self.refresh_lines(max(moved_from, top), bottom - max(moved_from, top))
        if anchor is not None and layout.laid_out and layout.line_of(anchor) != top:
            self.scroll_to(y=layout.line_of(anchor), animate=False)
            self.refresh()
        if cursor_shown and not self._cursor_row_shown():  # the cursor stays on screen, if it was
            self.scroll_to_cursor()
            self.refresh()

    def _cursor_row_shown(self) -> bool:
        if not self.tokens:
            return False
        row = self._line_of(self.tokens[self.cursor][0]) - self.scroll_offset.y
        return 0 <= row < self.scrollable_content_region.height

    def set_flags(self, flags: Sequence[tuple[int, int]]) -> None:
        """Mark ranges that need a decision (the review's open disagreements), over whatever is there."""
        self.flags = [Span(start, end, "") for start, end in sorted(flags)]
        self._cache.clear()
        self.refresh()

    def action_toggle_labels(self) -> None:
        self.show_labels = not self.show_labels
        self.set_spans(self.spans)
        self.scroll_to_cursor()

    def _tag_cells(self) -> Callable[[str], int] | None:
        return tag_cells if self.show_labels else None

    def _width(self) -> int:
        return max(self.scrollable_content_region.width, 10)

    def _laid_out(self) -> None:
        """The lines are others: drawn again, and the scroll range set (once the view has its width: a
        text is wrapped once, at the width it is shown at)."""
        self._cache.clear()
        if self.scrollable_content_region.width > 0:
            self._fit_height(self.text_layout.width)
        self.refresh()

    def _fit_height(self, width: int | None = None) -> None:
        """Set the scroll range to the lines, in steps of 32 rows.

        A new virtual size lays out the whole screen again (over 10 ms); a tag that pushes one word
        to a new line should not pay that, so a long article's range grows by 32 rows at once (blank at
        the end). An article that fits on screen gets no scroll range at all.
        """
        needed = len(self.text_layout.lines)
        size = self.virtual_size
        fits = needed <= self.scrollable_content_region.height  # no scroll bar for a short article
        if width is None and not fits and size.height - 64 < needed <= size.height:
            return
        height = needed if fits else -(-needed // 32) * 32
        if width is not None or height != size.height:
            self.virtual_size = Size(size.width if width is None else width, height)

    def on_resize(self, event: events.Resize) -> None:
        rewrapped = self.text_layout.rewrap(self._width())
        if rewrapped or self.virtual_size.width != self.text_layout.width:
            self._laid_out()
            if self.rewrapped_listener is not None:
                self.rewrapped_listener()
        else:
            self._fit_height()
        self.scroll_to_cursor()

    # --- geometry --------------------------------------------------------------------------------

    def _line_of(self, offset: int) -> int:
        return self.text_layout.line_of(offset)

    def _column(self, offset: int) -> int:
        return self.text_layout.column(offset)

    def _token_at(self, line: int, column: int) -> int:
        """The token on ``line`` nearest to ``column``."""
        return self.text_layout.token_at(self.tokens, line, column)

    def spans_between(self, start: int, end: int) -> list[Span]:
        """The spans overlapping ``[start, end)``, in order."""
        return self.text_layout.spans_between(start, end)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected text's ``(start, end)`` offsets (at least the cursor's token), None if no tokens."""
        if not self.tokens:
            return None
        first, last = sorted((self.anchor_token, self.cursor))
        return self.tokens[first][0], self.tokens[last][1]

    # --- movement --------------------------------------------------------------------------------

    def select_tokens(self, anchor: int, cursor: int) -> None:
        if not self.tokens:
            return
        top = len(self.tokens) - 1
        old = self.selection
        old_cursor = self.tokens[self.cursor] if self.cursor < len(self.tokens) else None
        self.anchor_token = min(max(anchor, 0), top)
        self.cursor = min(max(cursor, 0), top)
        new = self.selection
        if old != new:
            self._refresh_changed(old, new, old_cursor)
            self._post_selection()
        self.scroll_to_cursor()

    def select_offsets(self, start: int, end: int) -> None:
        """Select the tokens covering ``[start, end)``."""
        first = token_index_at(self.tokens, start)
        last = max(token_index_at(self.tokens, max(end - 1, start)), first)
        if last < len(self.tokens) and self.tokens[last][0] >= end and last > first:
            last -= 1
        self.select_tokens(first, last)

    def _move_to(self, token: int, extend: bool) -> None:
        self.select_tokens(self.anchor_token if extend else token, token)

    def action_move(self, delta: int, extend: bool = False) -> None:
        self._move_to(self.cursor + delta, extend)

    def _goal_column(self) -> int:
        """The column an up or down move aims at: the cursor's, or, while the cursor is where the last
        such move put it, the column that move aimed at (vim's remembered column: up then down comes
        back to the same word past a shorter line or a proposal's tag)."""
        kept = self._vertical
        if kept is not None and kept[0] == self.cursor:
            return kept[1]
        return self._column(self.tokens[self.cursor][0])

    def _move_vertically(self, line: int, column: int, extend: bool) -> None:
        self._move_to(self._token_at(line, column), extend)
        self._vertical = (self.cursor, column)

    def action_line(self, delta: int, extend: bool = False) -> None:
        if not self.tokens:
            return
        column = self._goal_column()
        line = self._line_of(self.tokens[self.cursor][0]) + delta
        if not 0 <= line < len(self.text_layout.lines):
            return
        self._move_vertically(line, column, extend)

    def action_page(self, delta: int) -> None:
        if not self.tokens:
            return
        height = max(self.scrollable_content_region.height - 1, 1)
        column = self._goal_column()
        line = min(
            max(self._line_of(self.tokens[self.cursor][0]) + delta * height, 0),
            len(self.text_layout.lines) - 1,
        )
        self.scroll_to(y=self.scroll_offset.y + delta * height, animate=False)
        self._move_vertically(line, column, False)

    def action_paragraph(self, delta: int) -> None:
        if not self.tokens:
            return
        target = paragraph_break(self.text, self.tokens[self.cursor][0], delta)
        self._move_to(min(token_index_at(self.tokens, target), len(self.tokens) - 1), False)

    def action_edge(self, side: int) -> None:
        if not self.tokens:
            return
        self._move_to(self.text_layout.edge_token(self.tokens, self.tokens[self.cursor][0], side), False)

    def action_ends(self, side: int) -> None:
        """The first (``side`` -1) or last token of the text."""
        if self.tokens:
            self._move_to(0 if side < 0 else len(self.tokens) - 1, False)

    def action_swap(self) -> None:
        """The cursor to the selection's other end (vim's ``o``), to extend it on that side."""
        if not self.tokens:
            return
        old_cursor = self.tokens[self.cursor]
        self.anchor_token, self.cursor = self.cursor, self.anchor_token
        self._refresh_offsets(*old_cursor)
        self._refresh_offsets(*self.tokens[self.cursor])
        self.scroll_to_cursor()
        self._post_selection()

    def action_collapse(self) -> None:
        self.select_tokens(self.cursor, self.cursor)

    def action_phrase(self) -> None:
        """Select the name or noun phrase at the cursor (``annotator.text.phrase_at``), the cursor on its
        last token: then a label key tags it."""
        if self.tokens:
            self.select_tokens(*phrase_at(self.text, self.tokens, self.cursor))

    def scroll_to_cursor(self) -> None:
        if not self.tokens or not self.laid_out:
            return
        keep_row_visible(self, self._line_of(self.tokens[self.cursor][0]))

    def _post_selection(self) -> None:
        selection = self.selection
        if selection is not None:
            if self.selection_listener is not None:
                self.selection_listener()
            self.post_message(self.SelectionChanged(self, *selection))

    # --- rendering -------------------------------------------------------------------------------

    def _refresh_changed(
        self, old: tuple[int, int] | None, new: tuple[int, int] | None, old_cursor: Token | None
    ) -> None:
        """Redraw only what a selection change touched (extending a long selection by one token
        redraws one or two lines, not the whole selection)."""
        cursor = self.tokens[self.cursor]
        for start, end in changed_ranges(old, new, [t for t in (old_cursor, cursor) if t is not None]):
            self._refresh_offsets(start, end)

    def _refresh_offsets(self, start: int, end: int) -> None:
        if not self.laid_out:
            self.refresh()
            return
        first = self._line_of(start)
        last = self._line_of(max(start, end - 1))
        lines = self.text_layout.lines
        if last - first >= len(self._cache):  # a selection over a long text: the strips kept, not its lines
            low, high = lines[first][0], lines[last][1]
            for key in [key for key in self._cache if key[0] <= high and key[1] >= low]:
                del self._cache[key]
        else:
            for line in range(first, last + 1):
                self._cache.pop(lines[line], None)
        top = self.scroll_offset.y
        first, last = max(first, top), min(last, top + self.size.height)
        if first <= last:  # what is on screen of it (the rest is drawn from the layout when scrolled to)
            self.refresh_lines(first, last - first + 1)
