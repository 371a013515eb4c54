"""A screen with an article, its status line and the prompt under it: what a key said, where the cursor
is, searching the article (``/``, ``n``, ``N``) as less and vim do, and which panel has the focus.

``DocumentScreen`` builds on it (the document, its spans and the side panels).
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text
from textual.screen import Screen

from annotator.literal import literal, visible
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.entity_panel import EntityPanel
from annotator.tui.widgets.key_footer import panel_title
from annotator.tui.widgets.notice import Notice
from annotator.tui.widgets.prompt import Prompt
from annotator.tui.widgets.status_line import StatusLine, position_status, selection_status
from annotator.tui.widgets.suggestion_list import SuggestionList


def find_match(text: str, needle: str, after: int, backwards: bool = False) -> tuple[int, int, bool] | None:
    """Where ``needle`` is next in ``text`` after offset ``after`` (or, ``backwards``, last before it),
    any case; from the other end again if not (the third value says it wrapped). None: nowhere.

    A regular expression ignoring case, not ``casefold``: folding changes lengths (``ß`` is ``ss``), and
    the offsets must be the text's own.
    """
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    if not backwards:
        found = pattern.search(text, after)
        if found is not None:
            return found.start(), found.end(), False
        found = pattern.search(text)
        return None if found is None else (found.start(), found.end(), True)
    matches = list(pattern.finditer(text))
    before = [m for m in matches if m.start() < after]
    if before:
        return before[-1].start(), before[-1].end(), False
    return (matches[-1].start(), matches[-1].end(), True) if matches else None


class ArticleScreen(Screen[None]):
    label_styles: dict[str, Style]

    def __init__(self) -> None:
        super().__init__()
        self._note = ""
        """Said in the status line until the next key: what a key did, or why it did nothing."""
        self._status_note: Text | None = None
        """A failed edit, said in the status line until the selection moves."""
        self._needle = ""
        """The last search (``n``/``N`` look for it again)."""
        self._match: tuple[int, tuple[int, int]] | None = None
        """Where the last match starts and the selection it made: while that selection stays, ``n``
        and ``N`` go on from the match, not from the selection's first token (a match inside a word
        selects the whole word; from its start ``n`` found the same match again)."""

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    # --- the status line ---------------------------------------------------------------------------

    def say_failed(self, message: str) -> None:
        """Say in the status line that an edit did not happen, until the selection moves."""
        self._status_note = Text(literal(message), style="bold red")
        self.query_one(StatusLine).show(self._status_note)

    def _show_status(self) -> None:
        if self._status_note is not None:
            self.query_one(StatusLine).show(self._status_note)
            return
        article = self.article
        selection = article.selection
        under = article.spans_between(*selection) if selection else []
        line = selection_status(article.text, selection, under, self.label_styles)
        offered = article.proposal_at(*selection) if selection and article.proposals else None
        if offered is not None:  # the label's name, not only its colour
            chip = self.label_styles.get(offered.label, Style(reverse=True))
            line.append("  proposed ", "dim")
            line.append(f" {visible(offered.label)} ", chip)
        if self._note:
            line = Text.assemble((self._note, "bold"), "  ", line)
        pending = self.pending_note()
        if pending is not None:
            line = Text.assemble(pending, "  ", line)
        cursor = article.tokens[article.cursor] if article.tokens else (0, 0)
        position = article.position()  # none before the article is wrapped: it comes with the lines
        where = None if position is None else position_status(*position, cursor[1], len(article.text))
        self.query_one(StatusLine).show(line, where)

    def pending_note(self) -> Text | None:
        """Said first in the status line while changes are being saved (``WritingScreen``)."""
        return None

    def say(self, note: str) -> None:
        """Say ``note`` in the status line until the next key (what a key did, or why it did nothing)."""
        self._note = note
        self._show_status()

    def clear_note(self) -> None:
        """A key was pressed: what the last one said is gone."""
        if self._note:
            self._note = ""
            self._show_status()

    def on_notice(self, message: Notice) -> None:
        message.stop()
        self.say(message.text)

    def said_where_a_key_works(self, key: str) -> None:
        """A key of the article's pressed while a side panel has the focus, where it does nothing:
        say where it works (checked before the bindings run: only when nothing here binds it)."""
        focused = self.focused
        if focused is None or focused is self.article or isinstance(focused, Prompt):
            return
        for node in (focused, self, self.app):
            if key in node._bindings.key_to_bindings:
                return
        bindings = self.article._bindings.key_to_bindings.get(key)
        if bindings:
            title = panel_title(focused) or "this panel"
            self.say(f"{bindings[0].description} works in the article; {title} has the focus (Esc: back)")

    # --- focus and the panels' messages ---------------------------------------------------------------

    def on_entity_panel_chosen(self, event: EntityPanel.Chosen) -> None:
        """The entity selected in the article; the panel keeps the focus (Enter: its next place, Esc:
        back to the article)."""
        self.article.select_offsets(event.span.start, event.span.end)

    def on_entity_panel_filter_asked(self, event: EntityPanel.FilterAsked) -> None:
        panel = self.query_one(EntityPanel)
        self.query_one(Prompt).open("filter", "Entities holding these words (Enter: filter, empty: all)")
        self.query_one(Prompt).value = panel.filter

    def action_focus_article(self) -> None:
        self.article.focus()

    def action_focus_panel(self) -> None:
        """Tab: the article, then the suggestions, then the entities, and back."""
        panels = [self.article, self.query_one(SuggestionList), self.query_one(EntityPanel)]
        order = [widget for widget in panels if widget.display]
        focused = next((i for i, widget in enumerate(order) if widget.has_focus), -1)
        order[(focused + 1) % len(order)].focus()

    # --- search and go to --------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one(Prompt).open("search", "Search the article (Enter: go to the match, Esc: cancel)")

    def _prompt_answered(self, kind: str, value: str | None) -> None:
        """The prompt closed (Enter: ``value``; Esc: None): the keys go back to the article, as in less
        and vim."""
        if kind == "filter":
            panel = self.query_one(EntityPanel)
            panel.focus()
            if value is not None:
                panel.set_filter(value.strip())
            return
        self.article.focus()
        if value is None:
            return
        if kind == "search" and value:
            self._needle = value
            self._match = None
            self._find(1)

    def action_search_next(self, direction: int) -> None:
        if not self._needle:
            self.say("No search yet: / searches")
            return
        self._find(direction)

    def _find(self, direction: int) -> None:
        """Select the next (``direction`` 1) or previous (-1) match of the last search."""
        article = self.article
        selection = article.selection
        if selection is None:
            return
        base = self._match[0] if self._match is not None and self._match[1] == selection else selection[0]
        after = base + 1 if direction > 0 else base
        found = find_match(article.text, self._needle, after, backwards=direction < 0)
        shown = visible(self._needle)
        if found is None:
            self.say(f"No match for “{shown}”")
            return
        start, end, wrapped = found
        side = "top" if direction > 0 else "bottom"
        self._note = f"Search wrapped to the {side}: “{shown}”" if wrapped else ""
        article.select_offsets(start, end)
        self._match = (start, article.selection or (start, end))
        self._show_status()
