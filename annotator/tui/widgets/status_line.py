"""A one-line bar whose text changes on every key: one cached strip, no markup, no re-layout."""

from __future__ import annotations

from collections.abc import Sequence, Set

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from annotator.literal import visible
from annotator.model import Span
from annotator.tui.widgets.frame_style import FrameStyle


def selection_status(
    text: str, selection: tuple[int, int] | None, under: Sequence[Span], styles: dict[str, Style]
) -> Text:
    """The selected words (shortened), then each span ``under`` the selection with its label."""
    if selection is None:
        return Text()
    start, end = selection
    words = " ".join(text[start:end].split())
    line = Text.assemble(("selection ", "dim"), shortened(Text(visible(words)), 59))
    for span in under:
        line.append("  ")
        line.append(f" {visible(span.label)} ", styles.get(span.label, Style(reverse=True)))
        line.append(" " + visible(" ".join(text[span.start : span.end].split())))
        if span.kb_id:
            line.append(f" → {visible(span.kb_id)}", "dim")
    return line


def position_status(line: int, lines: int, offset: int, length: int) -> Text:
    """Where the cursor is: its line (from 1) of the lines, and how far into the text its end is (as
    less shows it: 100% at the last word)."""
    percent = 100 * offset // length if length else 0
    return Text(f"line {line + 1}/{max(lines, 1)} {percent}%", style="dim")


def change_note(
    verb: str,
    text: str,
    before: tuple[Sequence[Span], Set[tuple[int, int, str]]],
    after: tuple[Sequence[Span], Set[tuple[int, int, str]]],
) -> tuple[str, tuple[int, int] | None]:
    """What an undo or redo changed, said (``Undid: ACTOR Nagorno-Karabakh Defense Ministry``, ``Undid:
    rejection of PLACE US``), and the place of the first span or proposal it touched (None when nothing
    shown changed: a status). ``before`` and ``after``: the layer's spans and the rejected proposals'
    ``(start, end, label)``."""
    keys_before = {(s.start, s.end, s.label) for s in before[0]}
    keys_after = {(s.start, s.end, s.label) for s in after[0]}
    gone = sorted(keys_before - keys_after)
    back = sorted(keys_after - keys_before)
    unrejected = sorted(set(before[1]) - set(after[1]))
    rejected = sorted(set(after[1]) - set(before[1]))
    if not (gone or back or unrejected or rejected):
        return f"{verb} the last step (no span changed)", None

    def said(key: tuple[int, int, str]) -> str:
        words = " ".join(text[key[0] : key[1]].split())
        return f"{key[2]} {visible(words if len(words) <= 40 else words[:39] + '…')}"

    parts = (
        [said(k) for k in gone[:1]]
        + [f"{said(k)} back" for k in back[:1]]
        + [f"rejection of {said(k)}" for k in unrejected[:1]]
        + [f"{said(k)} rejected" for k in rejected[:1]]
    )
    more = len(gone) + len(back) + len(unrejected) + len(rejected) - len(parts)
    note = f"{verb}: " + "; ".join(parts) + (f" and {more} more" if more else "")
    first = min([*gone, *back, *unrejected, *rejected])
    return note, (first[0], first[1])


def shortened(text: Text, width: int) -> Text:
    """``text`` as it fits in ``width`` cells: whole, or cut after its last word that fits with ``…``
    (a word longer than the line is cut where the line ends)."""
    if text.cell_len <= width:
        return text
    plain = text.plain
    room, fits = width - 1, 0  # the characters that fit beside the ellipsis
    for ch in plain:
        room -= cell_len(ch)
        if room < 0:
            break
        fits += 1
    space = plain.rfind(" ", 0, fits + 1)
    cut = len(plain[:space].rstrip()) if space > 0 and plain[:space].strip() else fits
    out = text[:cut]
    out.append("…", "dim")
    return out


class StatusLine(FrameStyle, Widget):
    """Shows a `Text` on one line, cropped to the width, and another at its right end (dropped when the
    line is too narrow for both).

    A `Static` re-parses its content into a `Content` and wraps it on every update; this renders the
    `Text` once into segments and keeps the strip until the next update.
    """

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._right = Text()
        self._strip: Strip | None = None

    @property
    def text(self) -> Text:
        return self._text

    @property
    def right(self) -> Text:
        return self._right

    def show(self, text: Text, right: Text | None = None) -> None:
        right = right or Text()
        if text == self._text and right == self._right:
            return
        self._text = text
        self._right = right
        self._strip = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if y != 0:
            return Strip.blank(width, self.base_style)
        if self._strip is None or self._strip.cell_length != width:
            base = self.base_style
            right = self._right.cell_len
            # the position gives way to what a key said, which is never cut short for it
            fits = right and self._text.cell_len <= width - right - 2
            left_width = width - right - 2 if fits else width
            left = Strip(self._segments(shortened(self._text, left_width))).crop_extend(0, left_width, base)
            if left_width < width:
                left = Strip.join([left, Strip([Segment("  ", base)]), Strip(self._segments(self._right))])
            self._strip = left.crop_extend(0, width, base)
        return self._strip

    def _segments(self, text: Text) -> list[Segment]:
        base = self.base_style
        return [
            Segment(segment.text, base + segment.style if segment.style else base)
            for segment in text.render(self.app.console)
            if segment.text != "\n"
        ]
