"""The entity panel: this document's spans grouped by label, with counts; choosing one jumps to it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.model import Label, Span


class EntityPanel(OptionList):
    DEFAULT_CSS = """
    EntityPanel { border: round $primary 50%; border-title-color: $text; }
    EntityPanel:focus { border: round $primary; }
    """

    class Chosen(Message):
        def __init__(self, span: Span) -> None:
            super().__init__()
            self.span = span

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Entities"
        self._spans: dict[str, Span] = {}

    def show(
        self, text: str, spans: Sequence[Span], labels: Sequence[Label], styles: dict[str, Style]
    ) -> None:
        """List ``spans`` under their labels; every string from the article goes in as plain text."""
        highlighted = self.highlighted
        self._spans = {}
        options: list[Option | None] = []
        known = [label.name for label in labels]
        extra = sorted({s.label for s in spans} - set(known))
        for name in [*known, *extra]:
            members = [s for s in spans if s.label == name]
            heading = Text.assemble((f" {name} ", styles.get(name, Style(reverse=True))), f" {len(members)}")
            options.append(Option(heading, id=f"label:{name}", disabled=True))
            for span in members:
                option_id = f"span:{span.start}:{span.end}:{span.label}"
                self._spans[option_id] = span
                mention = " ".join(text[span.start : span.end].split())
                options.append(Option(Text(f"  {mention}", no_wrap=True, overflow="ellipsis"), id=option_id))
        self.set_options(options)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        span = self._spans.get(event.option.id or "")
        if span is not None:
            self.post_message(self.Chosen(span))
