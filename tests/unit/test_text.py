"""Text: tokens, cleaning and its offset map, sentences, snapping to tokens; the token cache against
``tokenize``."""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Sequence

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text import _CLOSERS as CLOSERS
from annotator.text import _TERMINAL as TERMINAL
from annotator.text import (
    PLAIN_CHARACTERS,
    OffsetMap,
    Token,
    clean_text,
    sentence_around,
    sentences,
    snap,
    token_index_at,
    tokenize,
    tokenize_unicode,
)
from annotator.text import _ends_abbreviation as ends_abbreviation
from tests.conftest import SEED, dev_corpus

SPACES = " \t\n\u00a0\u2003\u3000\u2028\u200b"


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text)]


def is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Zs" or ch in "\u200b\u2060\ufeff"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_tokens_are_ordered_disjoint_and_cover_every_non_space(text: str) -> None:
    tokens = tokenize(text)
    covered = set()
    previous_end = 0
    for start, end in tokens:
        assert previous_end <= start < end <= len(text)
        assert text[start:end].strip(SPACES) == text[start:end]
        covered.update(range(start, end))
        previous_end = end
    for i, ch in enumerate(text):
        if not is_space(ch):
            assert i in covered, (i, ch)


@given(st.text(alphabet=st.sampled_from("ab -'’.,3\n\u00a0東👩\u200d🔬e\u0301\u00ad"), max_size=80))
def test_tokens_on_a_dense_alphabet(text: str) -> None:
    tokens = tokenize(text)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(tokens))
    # grapheme starts, and the positions after a space (a mark on a space is a degenerate cluster)
    boundaries = {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}
    boundaries |= {i + 1 for i, ch in enumerate(text) if is_space(ch)}
    for start, end in tokens:
        assert not any(is_space(ch) for ch in text[start:end])
        assert start in boundaries and end in boundaries  # no grapheme is ever split
    for first, last in sentences(text, tokens):
        assert first < last


def test_seed_article_tokens() -> None:
    text = SEED.read_text(encoding="utf-8")
    toks = words(text)
    i = toks.index("US")
    assert toks[i : i + 3] == ["US", "-", "backed"]  # a hyphen before a letter: its own token, as in spaCy
    i = toks.index("Nagorno")
    assert toks[i : i + 3] == ["Nagorno", "-", "Karabakh"]
    i = toks.index("killed")
    assert toks[i : i + 3] == ["killed", "’", "in"]
    assert "Gubadli" in toks
    assert "\u00a0" not in "".join(toks)
    # the NBSP-indented repeat of the headline starts with a plain token
    assert toks.count("Armenia") >= 3


def test_punctuation_numbers_and_clitics() -> None:
    assert words("Turkey's ally, 3,000 troops (1.5%).") == [
        "Turkey", "'s", "ally", ",", "3,000", "troops", "(", "1.5", "%", ")", ".",
    ]  # fmt: skip
    assert words("been’ largely 'quoted'") == ["been", "’", "largely", "'", "quoted", "'"]
    assert words("2020. Then") == ["2020", ".", "Then"]


def test_a_hyphen_before_a_letter_is_a_token_as_spacy_splits_it() -> None:
    assert words("US-backed Baku-Yerevan Russian\u2010brokered 3-year 2020-21") == [
        "US", "-", "backed", "Baku", "-", "Yerevan", "Russian", "\u2010", "brokered", "3", "-", "year",
        "2020", "-", "21",
    ]  # fmt: skip
    # between a letter and a digit it joins (spaCy keeps these whole too)
    assert words("COVID-19 F-16s Mid-2020") == ["COVID-19", "F-16s", "Mid-2020"]
    assert words("well- -known") == ["well", "-", "-", "known"]


def test_the_hyphenated_words_split_as_spacys_english_tokenizer_splits_them() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    text = (
        "The US-backed Baku-Yerevan talks, Russian-brokered in 2020-21, a 3-year plan for COVID-19, "
        "x-ray and e-mail, 50-50 with F-16s in Mid-2020 at Paris Saint-Germain."
    )
    assert words(text) == [t.text for t in nlp(text)]


def test_whole_word_moves_skip_the_tokens_of_a_hyphenated_word() -> None:
    from annotator.text import word_token

    text = "the US-backed truce."
    tokens = tokenize(text)
    assert words(text) == ["the", "US", "-", "backed", "truce", "."]
    assert word_token(tokens, 0, 1) == 1  # the -> US
    assert word_token(tokens, 1, 1) == 4  # US -> truce, over - and backed
    assert word_token(tokens, 2, 1) == 4  # from inside the word too
    assert word_token(tokens, 4, 1) == 5 and word_token(tokens, 5, 1) == 5  # truce. is one word; the end
    assert word_token(tokens, 3, -1) == 1  # backed -> the word's start
    assert word_token(tokens, 1, -1) == 0  # already at its start -> the previous word
    assert word_token(tokens, 0, -1) == 0
    assert word_token(tokens, 1, 1, to_last=True) == 3  # extending: to the word's last token
    assert word_token(tokens, 3, 1, to_last=True) == 5  # there already: the next word's last
    assert word_token([], 0, 1) == 0


def test_emoji_cjk_and_combining_marks_stay_whole() -> None:
    assert words("東京は👩‍🔬 cafe\u0301!") == ["東", "京", "は", "👩\u200d🔬", "cafe\u0301", "!"]


def test_format_characters_inside_a_word_stay_in_it() -> None:
    # soft hyphens (common in scraped news), ZWNJ/ZWJ and bidi marks between letters do not split a word
    text = "Kyiv\u00adSoft met Nagorno-Kara\u00adbakh"
    assert words(text) == ["Kyiv\u00adSoft", "met", "Nagorno", "-", "Kara\u00adbakh"]
    assert words("mi\u200cdan Ab\u200dc x\u200ey") == ["mi\u200cdan", "Ab\u200dc", "x\u200ey"]
    assert words("\u00adKyiv Kyiv\u00ad.") == ["\u00ad", "Kyiv", "Kyiv", "\u00ad", "."]  # not inside
    assert words("a\u200bb") == ["a", "b"]  # zero width space stays a space


def test_clean_text_only_removes_controls_and_unifies_line_breaks() -> None:
    raw = "a\r\nb\rc\x1b[31md\x07\x85e\tf\u2028g\u00a0h"
    assert clean_text(raw) == "a\nb\nc[31mde\tf\u2028g\u00a0h"
    assert clean_text("plain text") == "plain text"


def test_offset_map_follows_cleaning() -> None:
    raw = "x\r\nParis\x1b and Rome"
    clean = clean_text(raw)
    offsets = OffsetMap(raw)
    start = raw.index("Paris")
    assert clean[offsets(start) : offsets(start + 5)] == "Paris"
    rome = raw.index("Rome")
    assert clean[offsets(rome) : offsets(rome + 4)] == "Rome"


def test_sentences_split_at_stops_and_line_breaks_not_abbreviations() -> None:
    text = 'Mr. Smith met U.S. officials. "It works," he said. Then\nA headline'
    tokens = tokenize(text)
    got = [text[tokens[a][0] : tokens[b - 1][1]] for a, b in sentences(text, tokens)]
    assert got == ["Mr. Smith met U.S. officials.", '"It works," he said.', "Then", "A headline"]


def test_seed_sentences_end_at_paragraphs() -> None:
    text = SEED.read_text(encoding="utf-8")
    tokens = tokenize(text)
    got = [text[tokens[a][0] : tokens[b - 1][1]] for a, b in sentences(text, tokens)]
    assert got[3] == "I failed."
    assert any(
        s.endswith("fighting was continuing mainly in the Khojavend, Fizuli, and Gubadli areas.") for s in got
    )
    assert got[-1] == "Post a Comment"


def test_the_sentence_around_a_token_is_its_sentence_of_the_whole_text() -> None:
    """Found from the token's line alone, it is the sentence ``sentences`` gives over the whole text,
    for every token of the seed article and of text whose lines hold several sentences."""
    several = 'Mr. Smith met U.S. officials. "It works," he said. Then\nA'
    for text in (SEED.read_text(encoding="utf-8"), several):
        tokens = tokenize(text)
        whole = {i: (a, b) for a, b in sentences(text, tokens) for i in range(a, b)}
        assert [sentence_around(text, tokens, i) for i in range(len(tokens))] == [
            whole[i] for i in range(len(tokens))
        ]


def test_snap_widens_to_tokens() -> None:
    text = "the Gubadli settlement"
    tokens = tokenize(text)
    assert snap(tokens, 6, 9) == (4, 11)
    assert snap(tokens, 3, 4) is None
    assert token_index_at(tokens, 3) == 1
    assert token_index_at(tokens, len(text)) == len(tokens)


# --- the token cache agreement counts with -----------------------------------------------------------

TRICKY = [
    "a", "Z", "7", ".", ",", "-", "'", "’", "s", "re", " ", "  ", "\n", "\t", "\u00a0", "\u2009", "\u3000",
    "\u200b", "\u2060", "\ufeff", "\u200d", "\u0301", "\u0600", "\u0903", "東", "京", "👩", "🔬", "🇦🇲",
    "é", "ß", "\u00ad", "\u200e", "3,000", "1.5", "US-backed", "l'", "don't", "\u2010", "«", "»", "(", "…",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TRICKY), max_size=30).map("".join), st.data())
def test_token_cache_equals_tokenize(text: str, data: st.DataObject) -> None:
    from annotator.text import TokenCache

    cache = TokenCache()
    expected = tokenize(text)
    for _ in range(2):  # the second time from the remembered chunks
        tokens = cache.text(text)
        assert tokens.count == len(expected)
        if text:
            start = data.draw(st.integers(0, len(text) - 1))
            end = data.draw(st.integers(start + 1, len(text)))
            assert tokens.overlapping(start, end) == [t for t in expected if t[0] < end and t[1] > start]


def test_token_cache_on_a_prepend_character() -> None:
    from annotator.text import TokenCache

    text = "x \u0600 \u0301y z"  # U+0600 glues the space and the mark after it into one token
    tokens = TokenCache().text(text)
    assert tokens.count == len(tokenize(text)) == 4
    assert tokens.overlapping(2, 3) == [(2, 5)]


def sentences_token_by_token(text: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """The sentences as ``sentences`` found them before, looking at every token: what it must equal."""
    result: list[tuple[int, int]] = []
    first = 0
    n = len(tokens)
    i = 0
    while i < n:
        end = i + 1
        if end < n and "\n" in text[tokens[i][1] : tokens[end][0]]:
            result.append((first, end))
            first = end
        elif text[tokens[i][0] : tokens[i][1]] in TERMINAL and not ends_abbreviation(text, tokens, i):
            while (
                end < n
                and text[tokens[end][0] : tokens[end][1]] in CLOSERS
                and (tokens[end][0] == tokens[end - 1][1])
            ):
                end += 1
            if end < n and "\n" in text[tokens[end - 1][1] : tokens[end][0]]:
                pass  # the line break closes it on the next step
            elif end == n or (tokens[end][0] > tokens[end - 1][1] and not text[tokens[end][0]].islower()):
                result.append((first, end))
                first = end
            i = end - 1
        i += 1
    if first < n:
        result.append((first, n))
    return result


def test_each_plain_character_is_a_grapheme_of_its_own() -> None:
    """What lets the standard library's ``re`` tokenize plain text: no character of it joins the one
    before or after it into a grapheme cluster (no mark, joiner, prepended, Hangul or CR character)."""
    alone = regex.compile(r"\p{Grapheme_Cluster_Break=Other}|\p{Grapheme_Cluster_Break=Control}|\n")
    assert [hex(ord(ch)) for ch in PLAIN_CHARACTERS if not alone.fullmatch(ch)] == []
    sample = "".join(PLAIN_CHARACTERS) + "a"
    assert regex.findall(r"\X", sample) == list(sample)


PLAIN_SAMPLE = "aZ9_-.,'’ \n\t\u00a0\u2003\u2010\u2011é1ß½²ªº‿⁔\x85\u2028sSdDmMreRvVellL"


@settings(max_examples=400)
@given(
    st.text(alphabet=st.one_of(st.sampled_from(PLAIN_CHARACTERS), st.sampled_from(PLAIN_SAMPLE)), max_size=60)
)
def test_plain_text_has_the_tokens_the_regex_module_finds(text: str) -> None:
    assert tokenize(text) == tokenize_unicode(text)


def test_the_dev_corpus_has_the_tokens_the_regex_module_finds() -> None:
    path = dev_corpus()
    if path is None:
        pytest.skip("the dev corpus (shared/corpus/gum_dev.jsonl) is not beside this checkout")
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        assert tokenize(text) == tokenize_unicode(text)
        tokens = tokenize(text)
        assert sentences(text, tokens) == sentences_token_by_token(text, tokens)


@settings(max_examples=400)
@given(
    st.lists(
        st.sampled_from(["a", "A", "Mr", "U", ".", "!", "?", "…", '"', "”", ")", "»", " ", "\n"]), max_size=30
    )
)
def test_sentences_found_from_their_marks_are_those_token_by_token(parts: list[str]) -> None:
    text = "".join(parts)
    tokens = tokenize(text)
    assert sentences(text, tokens) == sentences_token_by_token(text, tokens)
