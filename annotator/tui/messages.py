"""Messages from the worker threads (``annotator.tui.workers``) to the screen that started them.

A widget's own messages (``ArticleView.SelectionChanged``, ``SuggestionList.Taken``, ...) are nested on
the widget that posts them; these come from no widget. None bubbles: each is for its screen alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from annotator.tui.widgets.suggestion_list import Shown

if TYPE_CHECKING:
    from annotator.kb import KnowledgeBase
    from annotator.model import StoredModel
    from annotator.suggest import Candidate

Question = tuple[int, int, int, str]
"""A look-up for the selection: ``(doc_id, start, end, text)``."""

ReviewRow = tuple[int, str, float, bool]
"""A document in review order: ``(doc_id, key, agreement, has_disagreements)``."""


class KbLoaded(Message, bubble=False):
    """The knowledge base is open (or built): suggestions and proposals can be looked up. ``read_at``
    (``time.monotonic()``) is when what the spans teach was read: edits saved later are not in it."""

    def __init__(self, kb: KnowledgeBase, read_at: float = 0.0) -> None:
        super().__init__()
        self.kb = kb
        self.read_at = read_at


class KbFailed(Message, bubble=False):
    """The knowledge base did not load: the screen works on without suggestions."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class SuggestionsFound(Message, bubble=False):
    """The suggestions for one selection (which may have moved on since it was asked)."""

    def __init__(self, question: Question, found: list[Shown]) -> None:
        super().__init__()
        self.question = question
        self.found = found


class ProposalsFound(Message, bubble=False):
    """The pre-annotation proposals for one document (which may no longer be the open one)."""

    def __init__(self, doc_id: int, found: list[Candidate]) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.found = found


class LookupFailed(Message, bubble=False):
    """A look-up raised; its thread goes on answering the next question."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class ReviewOrdered(Message, bubble=False):
    """The documents to review, worst agreement first."""

    def __init__(self, order: list[ReviewRow]) -> None:
        super().__init__()
        self.order = order


class ReviewOrderFailed(Message, bubble=False):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class ModelRetrained(Message, bubble=False):
    """A retrain in the background has ended: ``model`` is the user's current model now (None: they have
    none, the starter stays), ``summary`` the last line ``annotator train`` printed, ``error`` its error
    line when it failed."""

    def __init__(self, model: StoredModel | None, summary: str, error: str | None) -> None:
        super().__init__()
        self.model = model
        self.summary = summary
        self.error = error


class WriteDone(Message, bubble=False):
    """A write the screen handed to the app's writer (``annotator.store.writer``) was committed or
    failed: the screen shows it, in the order they were handed in."""
