"""A widget's Rich style worked out once per frame, not once per line.

Textual's ``rich_style`` walks every ancestor's styles each time it is read (0.1 ms here); a widget that
reads it in ``render_line`` paid that for every line it drew: a page down of the article read it 80
times. ``render_lines`` (once per widget per frame) keeps it for the lines of that frame only, so a
change of theme or focus is seen by the next frame as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget as _Widget
else:
    _Widget = object  # a mixin, no DOM class: Textual takes a widget's CSS from its first DOM base


class FrameStyle(_Widget):
    """Mixed in before the widget's class: ``class ArticleView(FrameStyle, ScrollView)``."""

    _frame_style: Style | None = None

    @property
    def base_style(self) -> Style:
        """``rich_style``, read once per frame while the widget's lines are drawn."""
        style = self._frame_style
        return self.rich_style if style is None else style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None
