"""How one line of the article is drawn, as Rich segments (no Textual in it). Article text is drawn
through ``visible`` (``annotator.literal``): one-cell pictures of the characters a terminal acts on.

Spans are drawn in their label's colour with the label after them; where spans overlap, the innermost
colour shows and the text is underlined. Proposals are the label's colour on the text, underlined, with
the label after them too, in that colour on no background and with a question mark (``PLACE?``): the
name says the label without its colour, the mark and the missing block say it is not taken yet (a
proposal inside a span, a name in the name, is underlined in italics on the span's colour, its tag after
it); open disagreements are red over anything; the selection is reversed, the cursor token bold and
underlined.
"""

from __future__ import annotations

import heapq
import itertools

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from annotator.literal import visible
from annotator.model import Span
from annotator.text import Token
from annotator.tui.article_layout import ArticleLayout, overlapping

FLAG = Style(color="#ff8787", bold=True, underline=True, strike=False)
"""Open disagreements: red, bold, underlined, over any span colour."""


def tag_cells(label: str) -> int:
    """The cells a label's tag takes after its span (a space, then the label)."""
    return cell_len(visible(label)) + 1


class ArticleLook:
    """The styles of the article, per label: a span's colour, its tag, a proposal of that label."""

    def __init__(self, styles: dict[str, Style] | None = None) -> None:
        styles = styles or {}
        self.spans = styles
        self.tags = {name: style + Style(bold=True, italic=True) for name, style in styles.items()}
        # A proposal is the label's colour on the text, underlined, no background: offered, not taken.
        self.proposals = {
            name: Style(color=style.bgcolor, underline=True, italic=True) for name, style in styles.items()
        }
        self.proposal_tags = {name: Style(color=style.bgcolor, italic=True) for name, style in styles.items()}
        self._styles: dict[Style, dict[tuple[str | None, bool, str | None, bool, bool, bool], Style]] = {}
        """Each style drawn, by the base style and what is under the text there (a few dozen)."""
        self._tags: dict[tuple[str, bool, Style], Segment] = {}

    def line(
        self,
        layout: ArticleLayout,
        line: int,
        base: Style,
        selection: tuple[int, int] | None,
        cursor: Token | None,
        proposals: list[Span],
        flags: list[Span],
    ) -> list[Segment]:
        """Line ``line`` of ``layout`` on ``base``, its text as ``visible`` shows it."""
        start, end = layout.lines[line]
        shown = visible(layout.text[start:end])  # one character for one: sliced by offsets below
        # Boundaries where the style may change: span edges, selection edges, cursor token edges.
        cuts = {start, end}
        spans = layout.line_spans[line]
        for span in spans:
            cuts.add(min(max(span.start, start), end))
            cuts.add(min(max(span.end, start), end))
        for edge in (*(selection or ()), *(cursor or ())):
            cuts.add(min(max(edge, start), end))
        tags = [(span, False) for span in layout.tags_on(line)]
        marks = layout.marks_on(line)
        if marks:  # in the order of their ends (a span's tag first where one ends at the same place)
            tags = list(heapq.merge(tags, [(mark, True) for mark in marks], key=lambda tag: tag[0].end))
        proposed = overlapping(proposals, start, end) if proposals else []
        flagged = overlapping(flags, start, end) if flags else []
        for span in (*proposed, *flagged):
            cuts.add(min(max(span.start, start), end))
            cuts.add(min(max(span.end, start), end))
        points = sorted(cuts)
        selected_from, selected_to = selection or (end + 1, end)
        cursor_from, cursor_to = cursor or (end + 1, end)
        styles = self._styles.setdefault(base, {})
        segments = []
        tag = 0
        offered = 0  # proposals never overlap one another: the first not yet behind ``left``
        for left, right in itertools.pairwise(points):
            while tag < len(tags) and tags[tag][0].end <= left:
                segments.append(self._tag(*tags[tag], base))
                tag += 1
            if left == right:
                continue
            inner: Span | None = None
            nested = False
            for span in spans:
                if span.start < right and left < span.end:
                    if inner is None:
                        inner = span
                    else:
                        nested = True
                        if span.end - span.start < inner.end - inner.start:
                            inner = span
            proposal = None
            if proposed:  # inside a span: a name in the name (``Candidate.nested``)
                while offered < len(proposed) and proposed[offered].end <= left:
                    offered += 1
                if offered < len(proposed) and proposed[offered].start < right:
                    proposal = proposed[offered].label
            key = (
                None if inner is None else inner.label,
                nested,
                proposal,
                bool(flagged) and any(s.start < right and left < s.end for s in flagged),
                selected_from <= left and right <= selected_to,
                cursor_from <= left and right <= cursor_to,
            )
            style = styles.get(key)
            if style is None:
                style = styles[key] = self._style(base, *key)
            segments.append(Segment(shown[left - start : right - start], style))
        segments.extend(self._tag(span, proposed, base) for span, proposed in tags[tag:])
        return segments

    def _style(
        self,
        base: Style,
        span: str | None,
        nested: bool,
        proposal: str | None,
        flagged: bool,
        selected: bool,
        cursor: bool,
    ) -> Style:
        """The style of text under these (the innermost span's label, whether spans nest there, ...)."""
        style = base
        if span is not None:
            style = style + self.spans.get(span, Style(reverse=True))
            if nested:
                style = style + Style(underline=True)
            if proposal is not None:  # a name in the name proposed: as a proposal, on the span's colour
                style = style + Style(underline=True, italic=True)
        elif proposal is not None:
            style = style + self.proposals.get(proposal, Style(underline=True))
        if flagged:
            style = style + FLAG
        if selected:
            style = style + Style(reverse=True)
        if cursor:
            style = style + Style(bold=True, underline=True)
        return style

    def _tag(self, span: Span, proposed: bool, base: Style) -> Segment:
        key = (span.label, proposed, base)
        tag = self._tags.get(key)
        if tag is None:
            if proposed:
                style = self.proposal_tags.get(span.label, Style(italic=True))
                tag = Segment(" " + visible(span.label) + "?", base + style)
            else:
                tag = Segment(" " + visible(span.label), base + self.tags.get(span.label, Style(bold=True)))
            self._tags[key] = tag
        return tag
