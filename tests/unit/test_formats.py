"""Format writers called directly, without a database."""

from __future__ import annotations


def test_a_token_holding_a_space_is_written_with_an_underscore() -> None:
    from annotator.formats import conll
    from annotator.text import tokenize

    text = "a \u0600 b"  # U+0600 is a prepended mark: its grapheme cluster takes the space after it
    tokens = tokenize(text)
    assert [text[s:e] for s, e in tokens] == ["a", "\u0600 ", "b"]
    written = conll.format_document(text, tokens, [0], [conll.Entity(1, 2, "PLACE")])
    assert written == "-DOCSTART- -X- -X- O\n\na O\n\u0600_ B-PLACE\nb O\n\n"
