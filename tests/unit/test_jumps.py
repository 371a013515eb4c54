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


SENTENCES = (
    "According to officials, troops left Lachin. However, Armenia says so. Reporters in Armenia saw it.\n"
    "Image: the road. Hami Aksoy said it. “Turkey is there,” he said. (Image: a map.) It is in Turkey."
)


def jump_in(text: str, at: str, step: int = 1) -> str | None:
    tokens = tokenize(text)
    start = text.index(at)
    i = next(k for k, t in enumerate(tokens) if t[0] == start)
    found = name_from(text, tokens, [], i, i, step)
    return None if found is None else text[tokens[found[0]][0] : tokens[found[1]][1]]


def test_a_capitalised_word_alone_at_a_sentence_start_is_a_name_where_the_text_says_it_inside_one() -> None:
    """At a sentence's start a capital says nothing: ``According``, ``However``, ``Image`` are passed;
    ``Armenia`` and ``Turkey`` are names (the text writes them inside a sentence too), and so are two
    capitalised words (``Hami Aksoy``)."""
    assert jump_in(SENTENCES, "According") == "Lachin"
    assert jump_in(SENTENCES, "Lachin") == "Armenia"  # However is passed
    assert jump_in(SENTENCES, "Reporters") == "Armenia"  # Reporters is said only at a sentence's start
    assert jump_in(SENTENCES, "saw") == "Hami Aksoy"  # Image: a sentence's first word, and after a line break
    assert jump_in(SENTENCES, "Aksoy") == "Turkey"  # after an opening quote, said inside a sentence later
    assert jump_in(SENTENCES, "Aksoy", -1) == "Armenia"
    assert jump_in(SENTENCES, "he said") == "Turkey"  # after a bracket: Image is passed again
