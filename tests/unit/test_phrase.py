"""The name or noun phrase at the cursor (``V`` on the annotation screen): the words around a token that
make one name (capitalised, joined by the few small words a name holds) or one noun phrase."""

from __future__ import annotations

import pytest

from annotator.text import phrase_at, tokenize

TEXT = (
    "The Medical Journal of Australia said the urgent implementation of mandatory iodisation was needed. "
    "NASA Administrator Charles Bolden spoke. The Evergreen Aviation & Space Museum, the U.S. Air Force and "
    "Steven F. Udvar-Hazy agreed on the 30th anniversary of a laser light show in South Australia."
)


def _phrase(word: str) -> str:
    tokens = tokenize(TEXT)
    at = TEXT.index(word)
    index = next(i for i, (start, _) in enumerate(tokens) if start == at)
    first, last = phrase_at(TEXT, tokens, index)
    return TEXT[tokens[first][0] : tokens[last][1]]


@pytest.mark.parametrize(
    ("word", "phrase"),
    [
        ("Journal", "Medical Journal of Australia"),
        ("implementation", "urgent implementation"),  # stops at "the" and "of"
        ("mandatory", "mandatory iodisation"),  # and at "was"
        ("Bolden", "NASA Administrator Charles Bolden"),  # a run of capitals is one name
        ("Space", "Evergreen Aviation & Space Museum"),  # not the comma after it
        ("Force", "U.S. Air Force"),  # not "and" Steven F. Udvar-Hazy: two names
        ("U.S.", "U.S. Air Force"),  # the abbreviation's dots, not "the" before it
        ("Udvar", "Steven F. Udvar-Hazy"),
        ("anniversary", "30th anniversary"),
        ("light", "laser light show"),
        ("Australia.", "South Australia"),  # not the full stop
        ("spoke", "spoke"),
        ("the urgent", "the"),  # no phrase: the token itself
    ],
)
def test_the_phrase_at_a_token(word: str, phrase: str) -> None:
    assert _phrase(word) == phrase
