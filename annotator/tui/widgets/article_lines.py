"""How one line of the article is drawn, as Rich segments (no Textual in it). Article text is drawn
through ``visible`` (``annotator.literal``): one-cell pictures of the characters a terminal acts on.

Spans are drawn in their label's colour with the label after them; where spans overlap, the innermost
colour shows and the text is underlined. Proposals are the label's colour on the text, underlined, with
the label after them too, in that colour on no background and with a question mark (``PLACE?``): the
name says the label without its colour, the mark and the missing block say it is not taken yet;
open disagreements are red over anything; the selection is reversed, the cursor token bold and underlined.
"""

from __future__ import annotations

import heapq
import itertools

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from annotator.literal import visible
from annotator.model import Span
from annotator.spans import innermost, overlaps
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
        segments = []
        for left, right in itertools.pairwise(points):
            while tags and tags[0][0].end <= left:
                segments.append(self._tag(*tags.pop(0), base))
            if left == right:
                continue
            style = base
            covering = [s for s in spans if overlaps(s.start, s.end, left, right)]
            if covering:
                inner = innermost(covering)
                style = style + self.spans.get(inner.label, Style(reverse=True))
                if len(covering) > 1:
                    style = style + Style(underline=True)
            elif proposed:
                offered = [s for s in proposed if overlaps(s.start, s.end, left, right)]
                if offered:
                    style = style + self.proposals.get(offered[0].label, Style(underline=True))
            if flagged and any(overlaps(s.start, s.end, left, right) for s in flagged):
                style = style + FLAG
            if selection and selection[0] <= left and right <= selection[1]:
                style = style + Style(reverse=True)
            if cursor and cursor[0] <= left and right <= cursor[1]:
                style = style + Style(bold=True, underline=True)
            segments.append(Segment(shown[left - start : right - start], style))
        segments.extend(self._tag(span, proposed, base) for span, proposed in tags)
        return segments

    def _tag(self, span: Span, proposed: bool, base: Style) -> Segment:
        if proposed:
            style = self.proposal_tags.get(span.label, Style(italic=True))
            return Segment(" " + visible(span.label) + "?", base + style)
        return Segment(" " + visible(span.label), base + self.tags.get(span.label, Style(bold=True)))
