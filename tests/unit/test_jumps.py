"""The next name no span holds (``annotator.tui.jumps``), on plain text: what j and k select."""

from __future__ import annotations

from annotator.model import Span
from annotator.text import tokenize
from annotator.tui.jumps import name_from

TEXT = "On Wednesday, April 13, the US said it. He met NASA Administrator Charles Bolden in Cape Canaveral."


def jump(spans: list[Span], at: str, step: int) -> str | None:
    tokens = tokenize(TEXT)
    start = TEXT.index(at)
    i = next(k for k, t in enumerate(tokens) if t[0] == start)
    found = name_from(TEXT, tokens, spans, i, i, step)
    return None if found is None else TEXT[tokens[found[0]][0] : tokens[found[1]][1]]


def test_days_months_and_small_words_at_a_sentence_start_are_passed_an_acronym_is_not() -> None:
    assert jump([], "On", 1) == "US"
    assert jump([], "US", 1) == "NASA Administrator Charles Bolden"  # not He: a small word
    assert jump([], "NASA", 1) == "Cape Canaveral"
    assert jump([], "Cape", 1) is None
    assert jump([], "Cape", -1) == "NASA Administrator Charles Bolden"
    assert jump([], "US", -1) is None  # On, Wednesday and April are no names


def test_a_name_any_span_overlaps_is_passed() -> None:
    start = TEXT.index("Charles")
    held = [Span(start, start + len("Charles Bolden"), "ACTOR")]
    assert jump(held, "US", 1) == "Cape Canaveral"
    assert jump(held, "Cape", -1) == "US"
