"""A widget's lines kept as Textual writes them: its styles pass done once per line, not per frame.

Textual passes every line a widget draws through its styles cache (padding, background, line
filters) each time the line is on a new row, and hands the compositor a new ``Strip``: the compositor
then divides it at the screen's cuts anew and the writer turns each piece into escape sequences anew
(a page down of the article: about 8 ms of 20 for 37 lines that were already drawn). Here a line's
finished strip is kept beside the strip it was made from, so a line drawn before comes back as the
same object, with its pieces and their text already made (``Strip`` keeps both); a line can also be
finished ahead of time, before it is shown (:meth:`PaintedLines.paint_ahead`).

The styles pass is Textual's own (``StylesCache.render_line``, the line filters after it): the output
is what Textual would write. It is done once per line only where its result cannot depend on the row
(no border, outline, title, padding above or below, links lit under the mouse); elsewhere the
widget is drawn as Textual draws it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.visual import Visual, visualize

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widget import Widget as _Widget
else:
    _Widget = object  # a mixin, no DOM class: Textual takes a widget's CSS from its first DOM base

DEFAULT_BACK = RichColor.parse("#555555")
DEFAULT_BAR = RichColor.parse("bright_magenta")
"""The colours ``ScrollBarRender`` draws with where the style has none."""


class Signature(NamedTuple):
    """Everything Textual's styles pass makes a widget's line from, besides the line itself."""

    size: Size
    content_size: Size
    padding: Spacing
    base_background: Color
    background: Color
    filters: tuple[LineFilter, ...]
    opacity: float
    others: tuple[object, ...]
    """Read by the pass only where set (tint, text opacity, hatch, border, outline, the ANSI theme)."""


def paint_signature(widget: Widget) -> Signature | None:
    """What the styles pass makes ``widget``'s lines with now; None where a line's result depends on
    its row too (a border or padding above or below, an outline, a title, links lit under the mouse)."""
    styles = widget.styles
    gutter = styles.gutter
    size, content = widget.region.size, widget.content_region.size
    if gutter.top or gutter.bottom or content.height != size.height or not size:
        return None
    if widget._border_title is not None or widget._border_subtitle is not None:
        return None
    outline = styles.outline
    if outline[0][0] or outline[2][0]:
        return None
    if widget.auto_links and widget.hover_style._link_id:
        return None
    base_background, background = widget.background_colors
    app = widget.app
    others = (
        styles.tint,
        styles.text_opacity,
        styles.hatch if styles.has_rule("hatch") else None,
        styles.border,
        outline,
        app.ansi_theme,
        app.native_ansi_color,
    )
    filters = tuple(widget.get_line_filters())
    return Signature(
        size, content, styles.padding, base_background, background, filters, widget.opacity, others
    )


def paint(widget: Widget, y: int, content: Strip, signature: Signature) -> Strip:
    """``content`` (row ``y``) through Textual's styles pass, as ``StylesCache.render_widget`` does."""
    app = widget.app
    strip = widget._styles_cache.render_line(
        widget.styles,
        y,
        signature.size,
        signature.content_size,
        signature.padding,
        signature.base_background,
        signature.background,
        lambda _: content,
        None,
        None,
        signature.opacity,
        app.ansi_theme,
        app.native_ansi_color,
    )
    for line_filter in signature.filters:
        strip = strip.apply_filter(line_filter, signature.background)
    return CompactStrip(strip, strip.cell_length)


class CompactStrip(Strip):
    """A strip written with fewer escape sequences, the same on screen: Textual writes each segment as
    its whole style, the text and a reset (``ESC[38;5;253;48;5;234mword ESC[0m``); here a segment
    that looks as the one before is joined to it, one that differs says only what changes (the
    attributes turned off and on, the colours), and one reset ends the strip. The
    terminal is reset where a strip starts, as Textual's own plain segments already assume. About
    half the bytes of an article line; its pieces (:meth:`divide`) are written the same way."""

    def __init__(self, segments: Iterable[Segment], cell_length: int | None = None) -> None:
        super().__init__(segments, cell_length)
        self._pieces: dict[tuple[int, ...], list[Strip]] = {}

    def divide(self, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = list(cuts)
        key = tuple(cuts)
        pieces = self._pieces.get(key)
        if pieces is None:
            pieces = [
                piece if piece is self else CompactStrip(piece, piece.cell_length)
                for piece in super().divide(cuts)
            ]
            self._pieces[key] = pieces
        return pieces

    def render(self, console: Console) -> str:
        if self._render_cache is None:
            system = console._color_system or ColorSystem.TRUECOLOR
            compact = compact_sgr(self._segments, system)
            self._render_cache = super().render(console) if compact is None else compact
        return self._render_cache


_PARTS: dict[tuple[Style, ColorSystem], tuple[str, int, str, str]] = {}
"""Per style: its whole SGR parameters, its attributes, its foreground's and background's."""


def _parts(style: Style, system: ColorSystem) -> tuple[str, int, str, str]:
    parts = _PARTS.get((style, system))
    if parts is None:
        ansi = style._ansi if style._ansi is not None else Strip.render_ansi(style, system)
        color, bgcolor = style._color, style._bgcolor
        fg = "39" if color is None else ";".join(color.downgrade(system).get_ansi_codes())
        bg = "49" if bgcolor is None else ";".join(bgcolor.downgrade(system).get_ansi_codes(False))
        parts = (ansi, style._attributes & style._set_attributes, fg, bg)
        if len(_PARTS) > 4096:
            _PARTS.clear()
        _PARTS[style, system] = parts
    return parts


OFF: tuple[tuple[int, str], ...] = (
    (0b11, "22"),
    (0b100, "23"),
    (0b1000001000, "24"),
    (0b110000, "25"),
    (0b1000000, "27"),
    (0b10000000, "28"),
    (0b100000000, "29"),
)
"""Attributes (Rich's bits) and the code that turns them off (bold and dim together, both underlines)."""
ON = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53")
"""The code that turns on each of Rich's attribute bits (``Style._style_map``)."""
RESET_ONLY = 0b1110000000000
"""Frame, encircle, overline: changed by a reset only here."""
PAIRED = 0b1000001000 | 0b110000
"""Underline and double underline, blink and fast blink: one setting each in a terminal (the code
that comes last wins), so a change of either, where the second of a pair is on, is made by a reset."""
SECONDS = 0b1000000000 | 0b100000


def _transition(shown: tuple[str, int, str, str], parts: tuple[str, int, str, str]) -> str:
    """The codes that take the terminal from drawing with ``shown`` to drawing with ``parts``."""
    if not parts[0]:
        return "\x1b[0m"
    if not shown[0]:
        return f"\x1b[{parts[0]}m"
    before, after = shown[1], parts[1]
    gone, changed = before & ~after, before ^ after
    if changed & RESET_ONLY or (changed & PAIRED and (before | after) & SECONDS):
        return f"\x1b[0;{parts[0]}m"
    codes, cleared = [], 0
    for bits, code in OFF:
        if gone & bits:
            codes.append(code)
            cleared |= bits
    turned_on = (after & ~before) | (after & cleared)
    codes.extend(code for bit, code in enumerate(ON) if turned_on & (1 << bit))
    codes.extend(new for new, old in zip(parts[2:], shown[2:], strict=True) if new != old)
    return f"\x1b[{';'.join(codes)}m"


def compact_sgr(segments: Iterable[Segment], system: ColorSystem) -> str | None:
    """``segments`` as escape sequences and text, starting from and ending in the reset state; None
    for what is left to Textual (a control segment, a link)."""
    out: list[str] = []
    shown: tuple[str, int, str, str] = ("", 0, "39", "49")  # what the terminal draws with now
    for text, style, control in segments:
        if control or (style is not None and style._link):
            return None
        if not text:
            continue
        parts = ("", 0, "39", "49") if style is None else _parts(style, system)
        if parts[0] != shown[0]:
            out.append(_transition(shown, parts))
            shown = parts
        out.append(text)
    if shown[0]:
        out.append("\x1b[0m")
    return "".join(out)


class PaintedLines(_Widget):
    """Mixed in before the widget's class; the widget says which line a row shows (:meth:`line_key`),
    and its ``render_line`` returns the same ``Strip`` object for a line while that line is unchanged."""

    _painted: dict[Hashable, tuple[Strip, Strip]]
    """By line: the strip ``render_line`` gave, and the finished strip made from it."""
    _painted_for: Signature | None = None

    def line_key(self, y: int) -> Hashable | None:
        """What row ``y`` shows (None: nothing worth keeping, a blank row)."""
        raise NotImplementedError

    def paint_signature(self) -> Signature | None:
        """What the styles pass depends on now, or None where it depends on the row too."""
        return paint_signature(self)

    def render_lines(self, crop: Region) -> list[Strip]:
        signature = self.paint_signature()
        if signature is None:
            return super().render_lines(crop)
        if signature != self._painted_for:
            self._painted.clear()
            self._painted_for = signature
        strips = [self._painted_line(y, signature) for y in crop.line_range]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.region.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _painted_line(self, y: int, signature: Signature) -> Strip:
        key = self.line_key(y)
        content = self.render_line(y)
        kept = None if key is None else self._painted.get(key)
        if kept is not None and kept[0] is content:
            return kept[1]
        painted = self._paint(y, content, signature)
        if key is not None:
            self._painted[key] = (content, painted)
        return painted

    def _paint(self, y: int, content: Strip, signature: Signature) -> Strip:
        return paint(self, y, content, signature)

    def paint_ahead(self, key: Hashable, content: Strip) -> None:
        """Finish a line not shown yet (``content``: what ``render_line`` will give for it), cut into
        the pieces the compositor will cut it into, each turned into its escape sequences."""
        signature = self.paint_signature()
        if signature is None or signature != self._painted_for:
            return
        kept = self._painted.get(key)
        if kept is not None and kept[0] is content:
            return
        painted = self._paint(0, content, signature)
        self._painted[key] = (content, painted)
        cuts = self._screen_cuts()
        if cuts is not None:
            console = self.app.console
            for piece in painted.divide(cuts):
                piece.render(console)

    def _screen_cuts(self) -> list[int] | None:
        """Where the compositor divides this widget's lines (``Compositor._render_chops``), if the same
        on all its rows."""
        compositor = self.screen._compositor
        placed = compositor.visible_widgets.get(self)
        if placed is None:
            return None
        region, clip = placed
        if not clip.contains_region(region):
            return None
        first, last = region.column_span
        rows = {tuple(cut for cut in compositor.cuts[y] if last >= cut >= first) for y in region.line_range}
        if len(rows) != 1:
            return None
        return [cut - region.x for cut in rows.pop()[1:]]


class KeptScrollBar(ScrollBar):
    """A vertical scroll bar whose rows are finished once per look: a row of a scroll bar is one of a
    few (the track above or below the thumb, the thumb, its two ends in eighths), so a thumb that moves
    (every page down) is drawn from rows kept, where Textual draws all of them through Rich again.
    A row not seen yet is drawn by Textual and kept; :meth:`prepare` draws, the same way, the rows of
    a place the thumb will move to (the article's next page) before it moves."""

    def __init__(self, *, thickness: int) -> None:
        super().__init__(vertical=True, name="vertical", thickness=thickness)
        self._rows: dict[Segment, Strip] = {}
        self._rows_for: Signature | None = None

    def _renderer(self, position: float | None = None) -> ScrollBarRender | None:
        """What ``render`` gives (the thumb at ``position``, if given), if Textual's bar."""
        renderable = self.render()
        if not isinstance(renderable, ScrollBarRender) or not isinstance(renderable.style, Style):
            return None
        if position is None or position == renderable.position:
            return renderable
        return self.renderer(
            virtual_size=renderable.virtual_size,
            window_size=renderable.window_size,
            position=self.validate_position(position),
            thickness=renderable.thickness,
            vertical=True,
            style=renderable.style,
        )

    def _row_segments(self, renderable: ScrollBarRender) -> list[Segment]:
        """What the renderer draws on each row (as ``ScrollBarRender.__rich_console__`` asks it)."""
        style = renderable.style
        assert isinstance(style, Style)
        width, height = self.size
        bar = renderable.render_bar(
            size=height,
            window_size=renderable.window_size,
            virtual_size=renderable.virtual_size,
            position=renderable.position,
            vertical=True,
            thickness=width,
            back_color=style.bgcolor or DEFAULT_BACK,
            bar_color=style.color or DEFAULT_BAR,
        )
        return list(bar.segments)

    def _kept_rows(self) -> dict[Segment, Strip] | None:
        signature = paint_signature(self)
        if signature is None:
            return None
        if signature != self._rows_for:
            self._rows.clear()
            self._rows_for = signature
        return self._rows

    def render_lines(self, crop: Region) -> list[Strip]:
        kept = self._kept_rows()
        renderable = self._renderer() if kept is not None else None
        if kept is None or renderable is None or crop.column_span != (0, self.region.width):
            return super().render_lines(crop)
        rows = self._row_segments(renderable)
        wanted = [rows[y] for y in crop.line_range]
        if all(row in kept for row in wanted):
            return [kept[row] for row in wanted]
        strips = super().render_lines(crop)
        for row, strip in zip(wanted, strips, strict=True):
            kept[row] = strip
        return strips

    def prepare(self, position: float) -> None:
        """Keep the rows the bar will show with its thumb at ``position``, drawn as Textual draws them
        (``Widget._render_content``, then the styles pass), the widget itself untouched."""
        kept = self._kept_rows()
        renderable = self._renderer(position) if kept is not None else None
        if kept is None or renderable is None or self._rows_for is None:
            return
        rows = self._row_segments(renderable)
        if all(row in kept for row in rows):
            return
        width, height = self.size
        visual = visualize(self, renderable, markup=self._render_markup)
        content = Visual.to_strips(self, visual, width, height, self.visual_style)
        console = self.app.console
        for y, row in enumerate(rows):
            if row not in kept and y < len(content):
                kept[row] = paint(self, y, content[y], self._rows_for)
                kept[row].render(console)
