"""Every action a key can do in the TUI: its id, default keys, description, and which screen or panel has it.

This module is the one list (and imports no Textual): the widgets' and screens' bindings are built from
it (``annotator.tui.bindings``), ``annotator init`` writes it into ``annotator.toml`` and ``[keys]``
there is checked against it; the help screen shows the bindings, so it shows these descriptions.

An action's id is what ``[keys]`` names to give it other keys (Textual's ``App.set_keymap``). The ids
are part of users' settings files: they stay as they are even where the action moved (the document
actions both screens share keep their ``annotate.`` ids).

The order of a screen's tuple is the order of its keys in the footer and the help screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.model import DEFAULT_LABELS

MAX_LABELS = 9
"""Labels that get keys: their own key, and on the annotation screen the digit of their position."""
MAX_LAYERS = 9
"""Layers whose version of a disagreement a digit takes on the review screen."""
MAX_SUGGESTIONS = 9
"""Suggestions a digit takes, in the suggestion list."""


@dataclass(frozen=True)
class KeyAction:
    """One remappable action: its binding id, default keys (comma-separated), and what it does."""

    id: str
    keys: str
    description: str
    action: str = ""
    """What the key runs, in Textual's action syntax (``document(1)``), on the node that binds it."""
    show: bool = False
    """Shown in the footer."""
    footer: str = ""
    """A panel's key: its few words in the footer while the panel has the focus (keys side by side with
    the same words are shown as one: ``↑↓ Move``)."""


def _key(
    action_id: str, keys: str, description: str, action: str, show: bool = False, footer: str = ""
) -> KeyAction:
    return KeyAction(action_id, keys, description, action, show, footer)


# --- the screen of one document (both the annotation and the review screen) ---------------------------

REMOVE = _key("annotate.remove", "x,delete,backspace", "Remove", "remove", show=True)
UNDO = _key("annotate.undo", "u,ctrl+z", "Undo", "undo", show=True)
REDO = _key("annotate.redo", "ctrl+r,ctrl+y", "Redo", "undo(True)", show=True)
SEARCH = _key("annotate.search", "slash", "Search", "search", show=True)
SEARCH_NEXT = _key("annotate.search_next", "n", "Next match", "search_next(1)")
SEARCH_PREVIOUS = _key("annotate.search_previous", "N", "Previous match", "search_next(-1)")
NEXT_DOCUMENT = _key("annotate.next_document", "right_square_bracket", "Next doc", "document(1)", show=True)
PREVIOUS_DOCUMENT = _key(
    "annotate.previous_document", "left_square_bracket", "Prev doc", "document(-1)", show=True
)
# ``gg`` (vim's start of the document) is ``g`` at once in the list ``g`` opens (``screens.picker``).
GOTO = _key("annotate.goto", "g", "Documents (pick one); gg: start of document", "goto")
# ``S``: SPEC gives no key for statistics; ``s`` is left free for a label key.
STATS = _key("annotate.stats", "S", "Stats", "app.stats", show=True)
GROW_START = _key("annotate.grow_start", "less_than_sign", "Span start a token left", "span_edge(-1, -1)")
SHRINK_START = _key("annotate.shrink_start", "comma", "Span start a token right", "span_edge(-1, 1)")
GROW_END = _key("annotate.grow_end", "greater_than_sign", "Span end a token right", "span_edge(1, 1)")
SHRINK_END = _key("annotate.shrink_end", "full_stop", "Span end a token left", "span_edge(1, -1)")
TAKE_SUGGESTION = _key("annotate.take_suggestion", "enter", "Take 1st suggestion", "take_suggestion")
FOCUS_PANEL = _key("annotate.focus_panel", "tab", "Next panel", "focus_panel")

# --- the annotation screen --------------------------------------------------------------------------

DONE = _key("annotate.done", "d", "Done", "done", show=True)
ACCEPT_PROPOSAL = _key("annotate.accept_proposal", "y", "Accept proposal", "proposal(True)")
# Not on ``n``: there less and vim go to the next match, which loses nothing. ``X`` beside ``x``
# (remove the span): in vim too a deleting key (and ``r``, ``o`` are label keys in the CoNLL set).
REJECT_PROPOSAL = _key("annotate.reject_proposal", "X", "Reject proposal", "proposal(False)")
ACCEPT_ALL = _key("annotate.accept_all", "Y", "Accept all proposals", "accept_all")
# Prodigy's one key per sentence: the sentence's proposals taken, the next sentence's first selected.
ACCEPT_SENTENCE = _key(
    "annotate.accept_sentence", "A", "Accept the sentence's proposals, on to the next", "accept_sentence"
)

# j/k as the next and previous item of a list (lazygit, mutt, the review screen's disagreements): here the
# names no span holds yet, each selected whole, for a label key to tag.
NEXT_NAME = _key("annotate.next_name", "j", "Next name no span holds (selected whole)", "name(1)")
PREVIOUS_NAME = _key("annotate.previous_name", "k", "Previous name no span holds", "name(-1)")

WORD_MOVES = (
    _key("annotate.word_right", "ctrl+right,w", "Next word", "word(1)"),
    _key("annotate.word_left", "ctrl+left,b", "Previous word", "word(-1)"),
    _key("annotate.extend_word_right", "ctrl+shift+right,W", "Extend by a word", "word(1, True)"),
    _key("annotate.extend_word_left", "ctrl+shift+left,B", "Extend back by a word", "word(-1, True)"),
)
"""Moving by whole words (text between spaces), so that a hyphenated word costs one key, not three."""

DOCUMENT_EDITING = (
    REMOVE,
    UNDO,
    REDO,
    SEARCH,
    NEXT_DOCUMENT,
    PREVIOUS_DOCUMENT,
    SEARCH_NEXT,
    SEARCH_PREVIOUS,
    GROW_START,
    SHRINK_START,
    GROW_END,
    SHRINK_END,
)
"""The keys both screens of one document start with (their order is the footer's)."""

ANNOTATE_SCREEN = (
    *DOCUMENT_EDITING,
    DONE,
    STATS,
    GOTO,
    TAKE_SUGGESTION,
    ACCEPT_PROPOSAL,
    REJECT_PROPOSAL,
    ACCEPT_ALL,
    ACCEPT_SENTENCE,
    FOCUS_PANEL,
    NEXT_NAME,
    PREVIOUS_NAME,
    *WORD_MOVES,
)
"""The annotation screen's keys besides the labels' (``tag_bindings``)."""

# --- the review screen ------------------------------------------------------------------------------

# One line in the help for the nine digits, as for the suggestions'.
REVIEW_TAKE = (
    _key("review.take_1", "1", "Take layer 1-9's version (the digit)", "take(0)"),
    *(_key(f"review.take_{n}", str(n), "", f"take({n - 1})") for n in range(2, MAX_LAYERS + 1)),
)
REVIEW_TAKE_NONE = _key("review.take_none", "0", "Take none", "take(-1)")
# ``n``/``N`` are the search's next and previous match on both screens; the disagreements are a list
# on the right, walked down and up as vim walks lines.
REVIEW_NEXT = _key("review.next", "j", "Next disagreement", "disagreement(1)", show=True)
REVIEW_PREVIOUS = _key("review.previous", "k", "Previous disagreement", "disagreement(-1)")
REVIEW_DONE = _key("review.done", "d", "Finish doc", "done", show=True)

REVIEW = (*REVIEW_TAKE, REVIEW_TAKE_NONE, REVIEW_NEXT, REVIEW_PREVIOUS, REVIEW_DONE)
"""The review screen's own actions."""

REVIEW_SCREEN = (
    *DOCUMENT_EDITING,
    REVIEW_DONE,
    STATS,
    GOTO,
    TAKE_SUGGESTION,
    FOCUS_PANEL,
    REVIEW_NEXT,
    *REVIEW_TAKE,
    REVIEW_TAKE_NONE,
    REVIEW_PREVIOUS,
    *WORD_MOVES,
)
"""The review screen's keys besides the labels' (no digits for labels there: they take a layer)."""

# --- the help screen and the app --------------------------------------------------------------------

HELP = (_key("help.close", "escape,q,question_mark", "Close", "dismiss", show=True),)
APP = (
    _key("app.help", "question_mark", "Help", "help", show=True),
    _key("app.guidelines", "H", "Guidelines", "guidelines"),
    _key("app.quit", "q", "Quit", "quit", show=True),
)

# --- the panels -------------------------------------------------------------------------------------

ARTICLE = (
    _key("article.left", "left", "Previous token", "move(-1)"),
    _key("article.right", "right", "Next token", "move(1)"),
    _key("article.extend_left", "shift+left", "Extend left", "move(-1, True)"),
    _key("article.extend_right", "shift+right", "Extend right", "move(1, True)"),
    _key("article.up", "up", "Line up", "line(-1)"),
    _key("article.down", "down", "Line down", "line(1)"),
    _key("article.extend_up", "shift+up", "Extend up", "line(-1, True)"),
    _key("article.extend_down", "shift+down", "Extend down", "line(1, True)"),
    _key("article.page_up", "pageup", "Page up", "page(-1)"),
    _key("article.page_down", "pagedown", "Page down", "page(1)"),
    _key("article.paragraph_up", "ctrl+up", "Paragraph up", "paragraph(-1)"),
    _key("article.paragraph_down", "ctrl+down", "Paragraph down", "paragraph(1)"),
    _key("article.home", "home", "Line start", "edge(-1)"),
    _key("article.end", "end", "Line end", "edge(1)"),
    _key("article.start", "ctrl+home", "Start of document", "ends(-1)"),
    _key("article.finish", "ctrl+end,G", "End of document", "ends(1)"),
    # vim's ``o`` in visual mode; ``o`` itself is a label key in the CoNLL set (ORG).
    _key("article.swap", "O", "Swap the selection's ends", "swap"),
    _key("article.collapse", "escape", "Clear selection", "collapse"),
    # vim's V selects the line; here the name or noun phrase at the cursor (Medical Journal of Australia).
    _key("article.phrase", "V", "Select the name or phrase at the cursor", "phrase"),
    _key("article.toggle_labels", "l", "Labels on/off", "toggle_labels"),
)

SUGGESTIONS = (
    _key("suggestions.up", "up", "Previous suggestion", "step(-1)", footer="Move"),
    _key("suggestions.down", "down", "Next suggestion", "step(1)", footer="Move"),
    _key("suggestions.take", "enter", "Take suggestion", "take", footer="Take"),
    # One line in the help for the nine digits: the first says it for all of them.
    _key("suggestions.take_1", "1", "Take suggestion 1-9 (the digit)", "take(0)", footer="Take nth"),
    *(
        _key(f"suggestions.take_{n}", str(n), "", f"take({n - 1})", footer="Take nth")
        for n in range(2, MAX_SUGGESTIONS + 1)
    ),
    _key("suggestions.back", "escape", "Back to the article", "screen.focus_article", footer="Back"),
)

ENTITY_PANEL = (
    _key("panel.up", "up", "Previous entity", "step(-1)", footer="Move"),
    _key("panel.down", "down", "Next entity", "step(1)", footer="Move"),
    _key("panel.choose", "enter", "Jump to entity (again: its next place)", "choose", footer="Jump"),
    _key("panel.filter", "f", "Filter the entities by their words", "filter", footer="Filter"),
    _key("panel.back", "escape", "Back to the article", "screen.focus_article", footer="Back"),
)

# --- labels -----------------------------------------------------------------------------------------


TAG_PREFIX = "annotate.tag_"


def tag_id(position: int) -> str:
    """The id of tagging with the label at ``position`` (from 0): the keys follow the position."""
    return f"{TAG_PREFIX}{position + 1}"


def is_tag(action: KeyAction) -> bool:
    """Tagging with a label: its keys are the label's (``[labels]``), checked apart from the others."""
    return action.id.startswith(TAG_PREFIX)


def tag_action(position: int) -> str:
    return f"tag({position})"


def tag_actions() -> list[KeyAction]:
    """The label actions as ``annotator.toml`` lists them: with the default label set's names and keys.

    The bindings themselves are made per label when a screen opens (the label set is the project's).
    """
    actions = []
    for position in range(MAX_LABELS):
        default = DEFAULT_LABELS[position] if position < len(DEFAULT_LABELS) else None
        keys = f"{default[1]},{position + 1}" if default else str(position + 1)
        name = default[0].title() if default else f"label {position + 1}"
        actions.append(KeyAction(tag_id(position), keys, f"Tag {name}", tag_action(position)))
    return actions


def key_actions() -> list[KeyAction]:
    """Every action a user may bind to other keys (``[keys]`` in annotator.toml), each id once."""
    every = [*tag_actions(), *ANNOTATE_SCREEN, *REVIEW, *HELP, *APP, *ARTICLE, *SUGGESTIONS, *ENTITY_PANEL]
    by_id: dict[str, KeyAction] = {}
    for action in every:
        by_id.setdefault(action.id, action)
    return list(by_id.values())
