"""The article's geometry without Textual: wrapping with label tags, edits that re-wrap in place, and the
pictures control characters are shown as."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from annotator.literal import visible
from annotator.model import Span
from annotator.text import tokenize
from annotator.tui.article_layout import ArticleLayout, wrap
from tests.conftest import SEED

LABELS = ("ACTOR", "PLACE", "EVENT")


def tag_cells(label: str) -> int:
    return cell_len(label) + 1


def drawn_width(layout: ArticleLayout, line: int) -> int:
    """Cells the line takes as drawn: its text without trailing spaces, plus its tags."""
    start, end = layout.lines[line]
    text = layout.text[start:end].rstrip(" ")
    return cell_len(text) + sum(tag_cells(s.label) for s in layout.tags_on(line))


def test_tags_take_cells_and_every_line_fits() -> None:
    text = SEED.read_text(encoding="utf-8")
    tokens = tokenize(text)
    spans = [Span(s, e, LABELS[i % 3]) for i, (s, e) in enumerate(tokens[::3])]
    plain = ArticleLayout(text, 60, spans)
    tagged = ArticleLayout(text, 60, spans, tag_cells)
    assert len(tagged.lines) > len(plain.lines)
    for line in range(len(tagged.lines)):
        start, end = tagged.lines[line]
        words = text[start:end].split(" ")
        if len(words) > 1 or drawn_width(tagged, line) <= 60:  # one word longer than a line is cut
            assert drawn_width(tagged, line) <= 60, text[start:end]


def test_a_tag_moves_the_columns_after_it() -> None:
    text = "Shelling in Gubadli district today"
    start = text.index("Gubadli")
    layout = ArticleLayout(text, 80, [Span(start, start + 7, "PLACE")], tag_cells)
    district = text.index("district")
    assert layout.column(district, text) == district + len(" PLACE")
    assert layout.column(start + 7, text) == start + 7 + len(" PLACE")  # the tag sits before the space
    tokens = tokenize(text)
    # a click on the tag picks the span's last token; one after it picks the next word
    assert layout.token_at(tokens, 0, start + 9, text) == 2
    assert layout.token_at(tokens, 0, district + len(" PLACE"), text) == 3


texts = st.lists(
    st.lists(
        st.sampled_from(["Baku", "Shusha", "war", "東京", "a", "Nagorno-Karabakh", "x" * 30]), max_size=12
    ).map(" ".join),
    min_size=1,
    max_size=5,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), text=texts, width=st.integers(8, 50), tags=st.booleans())
def test_edits_leave_the_layout_a_fresh_layout_would_have(
    data: st.DataObject, text: str, width: int, tags: bool
) -> None:
    tokens = tokenize(text)
    if not tokens:
        return
    span_strategy = st.builds(
        lambda a, n, label: Span(tokens[a][0], tokens[min(a + n, len(tokens) - 1)][1], label),
        st.integers(0, len(tokens) - 1),
        st.integers(0, 3),
        st.sampled_from(LABELS),
    )
    spans = {(s.start, s.end, s.label): s for s in data.draw(st.lists(span_strategy, max_size=6))}
    layout = ArticleLayout(text, width, spans.values(), tag_cells if tags else None)
    for _ in range(data.draw(st.integers(1, 4))):
        removed = [s for s in spans.values() if data.draw(st.booleans())]
        added = [
            s
            for s in data.draw(st.lists(span_strategy, max_size=2))
            if (s.start, s.end, s.label) not in spans
        ]
        added = list({(s.start, s.end, s.label): s for s in added}.values())
        before = list(layout.lines)
        before_spans = [list(line) for line in layout.line_spans]
        touched, moved_from = layout.change(removed, added)
        for span in removed:
            del spans[(span.start, span.end, span.label)]
        spans.update({(s.start, s.end, s.label): s for s in added})
        fresh = ArticleLayout(text, width, spans.values(), tag_cells if tags else None)
        assert layout.lines == fresh.lines
        assert layout.line_starts == fresh.line_starts
        assert layout.line_spans == fresh.line_spans
        assert layout.spans == fresh.spans
        if len(layout.lines) != len(before):
            assert moved_from is not None
        # every line whose place or content changed is reported for redrawing
        pairs = enumerate(itertools.zip_longest(before, layout.lines))
        changed = {n for n, (old, new) in pairs if old != new}
        now = layout.line_spans
        changed |= {n for n in range(min(len(before_spans), len(now))) if before_spans[n] != now[n]}
        assert {n for n in changed if moved_from is None or n < moved_from} <= set(touched)
        for span in [*removed, *added]:
            assert layout.line_of(span.start) in touched


def test_wrap_covers_the_text_and_fits_the_width() -> None:
    text = SEED.read_text(encoding="utf-8")
    for width in (20, 57, 80):
        lines = wrap(text, width)
        assert lines[0][0] == 0 and lines[-1][1] == len(text)
        for (_s1, e1), (s2, _) in itertools.pairwise(lines):
            assert e1 <= s2
            assert text[e1:s2].strip(" \n") == ""
        from rich.cells import cell_len

        assert all(cell_len(text[s:e].rstrip(" ")) <= width for s, e in lines)


def test_control_characters_show_as_symbols() -> None:
    assert visible("a\x1b]0;x\x07b\x9b") == "a\u241b]0;x\u2407b\ufffd"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 30), st.sampled_from(["ACTOR", "PLACE"]))),
    st.lists(st.integers(0, 12), min_size=1, max_size=30),
)
def test_the_spans_of_each_line_are_those_that_overlap_it_in_span_order(
    raw: list[tuple[int, int, str]], widths: list[int]
) -> None:
    from annotator.spans import overlaps, spans_per_line
    from annotator.tui.article_layout import span_order

    ordered = sorted({Span(start, start + length, label) for start, length, label in raw}, key=span_order)
    lines, at = [], 0
    for width in widths:
        lines.append((at, at + width))
        at += width + 1
    expected = [
        [s for s in ordered if overlaps(s.start, s.end, start, max(end, start + 1))] for start, end in lines
    ]
    assert spans_per_line(ordered, lines) == expected
