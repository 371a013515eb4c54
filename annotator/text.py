"""Text cleaning, tokens and sentences with code-point offsets.

This is the one tokenizer of the project: TUI snapping, suggestions, CoNLL and agreement all use it, so a
token means the same thing everywhere. Offsets are Python ``str`` indices into the stored (cleaned) text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import regex

from annotator.spans import overlaps
from annotator.spans import token_index_at as token_index_at  # where it always was, for its users

Token = tuple[int, int]

# C0 and C1 control characters and DEL, except \n and \t (\r is handled before, as a line break).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REMOVED_AT_CLEAN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?=\n)")

# Word characters (letters, digits, marks, connectors, joiners) except the scripts written without spaces
# between words, whose characters are tokens one by one so that any part of a phrase can be tagged.
_WORD = r"[\w--[\p{Han}\p{Hiragana}\p{Katakana}]]"
_SPACE = r"[\s\p{Z}\u200b\u2060\ufeff]"
# Invisible format characters (soft hyphen, bidi marks; ZWJ/ZWNJ are in \w already) between word characters
# belong to the word: scraped news is full of soft hyphens (Kyiv\u00adSoft is one token). The ones counted as
# spaces above stay spaces.
_FORMAT = r"[\p{Cf}--[\u200b\u2060\ufeff]]"
_WORD_RUN = rf"{_WORD}+(?:{_FORMAT}+{_WORD}+)*"
_TOKEN = regex.compile(
    # words, joined by a hyphen between a letter and a digit (COVID-19, F-16) and, between digits, by . and ,
    # (3,000 and 1.5). Any other hyphen between word characters is a token of its own, as spaCy's English
    # tokenizer splits it (US - backed, 3 - year, 2020 - 21), so that US in US-backed can be a span.
    rf"{_WORD_RUN}(?:(?:(?<=\p{{L}})[-\u2010\u2011](?=\p{{Nd}})|(?<=\p{{Nd}})[.,](?=\p{{Nd}})){_WORD_RUN})*"
    # an apostrophe after a word starts a new token; with a clitic it keeps it ('s, 're, 've, 'll, 'd, 'm)
    rf"|(?<=\w)['\u2019](?:[sSdDmM]|[rR][eE]|[vV][eE]|[lL][lL])(?!\w)"
    # anything else that is not a space: one grapheme cluster (punctuation, an emoji sequence, a CJK char)
    rf"|(?!{_SPACE})\X",
    regex.V1,
)

_TERMINAL = frozenset({".", "!", "?", "…"})
_TERMINAL_CHARACTER = re.compile("[" + "".join(sorted(_TERMINAL)) + "]")
_NEWLINE = re.compile("\n")
_END = float("inf")
_CLOSERS = frozenset({'"', "”", "’", "'", ")", "]", "»"})
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm",
        "sen", "rep", "gov", "pres", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    }
)  # fmt: skip


def clean_text(raw: str) -> str:
    """The stored form of an imported text: line breaks unified, control characters removed, nothing else."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", raw)


class OffsetMap:
    """Maps offsets in a raw text to offsets in its cleaned form (for spans imported with the raw text)."""

    def __init__(self, raw: str) -> None:
        self._removed = [m.start() for m in _REMOVED_AT_CLEAN.finditer(raw)]

    def __call__(self, offset: int) -> int:
        return offset - bisect.bisect_left(self._removed, offset)

    @property
    def identity(self) -> bool:
        return not self._removed


def _char_class(chars: str) -> str:
    """A character class of the standard library's ``re`` holding ``chars`` (sorted, runs as ranges)."""
    points = sorted(map(ord, chars))
    out, i = [], 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        out.append(re.escape(chr(points[i])) + ("-" + re.escape(chr(points[j])) if j > i else ""))
        i = j + 1
    return "[" + "".join(out) + "]"


# Text made only of these characters is tokenized by the standard library's re, three to four times
# faster than the regex module, to the same tokens: each of them is a grapheme cluster of its own next to
# any other of them (no mark, joiner, prepended or Hangul character, no CR; tests/unit/test_text.py
# checks it), so that \X is one character there, and the classes of _TOKEN are spelled out as the regex
# module reads them. Latin scripts, general punctuation (curly quotes, dashes, ellipsis) and currency signs:
# most news; any other character, the regex module tokenizes the text.
_PLAIN_RANGES = ((0x00, 0x250), (0x2000, 0x2070), (0x20A0, 0x20D0))
PLAIN_CHARACTERS = regex.sub(
    r"[\p{Cf}\r]", "", "".join(chr(c) for low, high in _PLAIN_RANGES for c in range(low, high))
)


def _plain_class(pattern: str) -> str:
    return _char_class("".join(regex.findall(pattern, PLAIN_CHARACTERS, flags=regex.V1)))


_PLAIN_WORD, _PLAIN_ALNUM, _PLAIN_SPACE = _plain_class(_WORD), _plain_class(r"\w"), _plain_class(_SPACE)
_PLAIN_LETTER, _PLAIN_DIGIT = _plain_class(r"\p{L}"), _plain_class(r"\p{Nd}")
_PLAIN_TOKEN = re.compile(
    rf"{_PLAIN_WORD}+(?:(?:(?<={_PLAIN_LETTER})[-\u2010\u2011](?={_PLAIN_DIGIT})"
    rf"|(?<={_PLAIN_DIGIT})[.,](?={_PLAIN_DIGIT})){_PLAIN_WORD}+)*"
    rf"|(?<={_PLAIN_ALNUM})['\u2019](?:[sSdDmM]|[rR][eE]|[vV][eE]|[lL][lL])(?!{_PLAIN_ALNUM})"
    rf"|(?!{_PLAIN_SPACE})."
)
_NOT_PLAIN = re.compile("[^" + _char_class(PLAIN_CHARACTERS)[1:])


def tokenize(text: str) -> list[Token]:
    """Every token of ``text`` as ``(start, end)``, in order, end exclusive."""
    if _NOT_PLAIN.search(text):
        return [m.span() for m in _TOKEN.finditer(text)]
    return list(map(re.Match.span, _PLAIN_TOKEN.finditer(text)))


def tokenize_unicode(text: str) -> list[Token]:
    """:func:`tokenize` by the regex module whatever the text holds (what the plain path must equal)."""
    return [m.span() for m in _TOKEN.finditer(text)]


def line_breaks(text: str, tokens: Sequence[Token]) -> list[int]:
    """Indices of the tokens (not the first) with a line break between them and the token before, in
    order: found from the text's line breaks, not token by token."""
    out: list[int] = []
    n = len(tokens)
    for match in _NEWLINE.finditer(text):
        at = match.start()
        i = bisect.bisect_right(tokens, (at, _END))  # the first token starting after the break
        if 0 < i < n and tokens[i - 1][1] <= at and (not out or out[-1] != i):
            out.append(i)
    return out


def sentences(text: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Sentences as ranges ``[first, last)`` of token indices.

    A sentence ends at a line break, or after ``.``, ``!``, ``?`` (and any closing quotes or brackets)
    when the next token does not start with a lower-case letter and the full stop does not end an
    abbreviation or an initial. Only the tokens before a line break and the terminal ones are looked at
    (found in the text), in order; the closers after a terminal are passed over, whatever follows them.
    """
    if not tokens:
        return []
    terminals = []
    for match in _TERMINAL_CHARACTER.finditer(text):
        at = match.start()
        i = bisect.bisect_right(tokens, (at, _END)) - 1
        if i >= 0 and tokens[i][0] == at and tokens[i][1] == at + 1:
            terminals.append(i)
    return _sentences(text, tokens, line_breaks(text, tokens), terminals)


def sentence_starts(
    text: str, words: Sequence[str], tokens: Sequence[Token], line_starts: Iterable[int]
) -> list[int]:
    """The first token of each of :func:`sentences`, given the tokens' ``words`` and their
    :func:`line_breaks`."""
    terminal = list(itertools.compress(range(len(words)), map(_TERMINAL.__contains__, words)))
    return [first for first, _ in _sentences(text, tokens, line_starts, terminal)] if words else []


def _sentences(
    text: str, tokens: Sequence[Token], line_starts: Iterable[int], terminals: Iterable[int]
) -> list[tuple[int, int]]:
    """:func:`sentences` given the :func:`line_breaks` and the terminal tokens."""
    n = len(tokens)
    breaks = {i - 1 for i in line_starts}  # the tokens a line break follows
    candidates = breaks.union(terminals)
    result: list[tuple[int, int]] = []
    first = 0
    passed = 0  # tokens before it were passed over (the closers after a terminal)
    for i in sorted(candidates):
        if i < passed:
            continue
        end = i + 1
        if i in breaks:
            result.append((first, end))
            first = end
        elif not _ends_abbreviation(text, tokens, i):
            while (
                end < n
                and text[tokens[end][0] : tokens[end][1]] in _CLOSERS
                and (tokens[end][0] == tokens[end - 1][1])
            ):
                end += 1
            if end < n and "\n" in text[tokens[end - 1][1] : tokens[end][0]]:
                pass  # a line break after the closers: passed over with them
            elif end == n or (tokens[end][0] > tokens[end - 1][1] and not text[tokens[end][0]].islower()):
                result.append((first, end))
                first = end
            passed = end
    if first < n:
        result.append((first, n))
    return result


def sentence_around(text: str, tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The sentence (:func:`sentences`) holding token ``index``, as token indices ``[first, last)``:
    found among the tokens of its line only (a sentence ends at a line break), so that a long article
    costs its line, not its length."""
    start = tokens[index][0]
    end = text.find("\n", start)
    first = token_index_at(tokens, text.rfind("\n", 0, start) + 1)
    last = token_index_at(tokens, len(text) if end == -1 else end)
    for a, b in sentences(text, [tokens[i] for i in range(first, last)]):
        if first + a <= index < first + b:
            return first + a, first + b
    return index, index + 1


def _ends_abbreviation(text: str, tokens: Sequence[Token], i: int) -> bool:
    if text[tokens[i][0] : tokens[i][1]] != "." or i == 0 or tokens[i - 1][1] != tokens[i][0]:
        return False
    word = text[tokens[i - 1][0] : tokens[i - 1][1]]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def token_range(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """Token indices ``[first, last)`` of the tokens ``[start, end)`` touches; None when it holds no token."""
    first = token_index_at(tokens, start)
    last = token_index_at(tokens, max(start, end - 1))
    if last == len(tokens) or tokens[last][0] > end - 1:  # the span ends in whitespace, or after the text's
        last -= 1
    if first >= len(tokens) or last < first:
        return None
    return first, last + 1


def word_token(tokens: Sequence[Token], cursor: int, delta: int, to_last: bool = False) -> int:
    """The token a move by one whole word (text between spaces) from token ``cursor`` lands on.

    A word is a run of tokens with nothing between them (``US-backed`` is three tokens, one word).
    Forwards: the first token of the next word, or with ``to_last`` the last token of this word (of the
    next one when the cursor is there already), which is where a selection extended by a word ends.
    Backwards: the first token of this word, or of the previous one when the cursor is there already.
    """
    count = len(tokens)
    if not count:
        return 0
    cursor = min(max(cursor, 0), count - 1)

    def first(i: int) -> int:
        while i > 0 and tokens[i - 1][1] == tokens[i][0]:
            i -= 1
        return i

    def last(i: int) -> int:
        while i + 1 < count and tokens[i][1] == tokens[i + 1][0]:
            i += 1
        return i

    if delta > 0:
        end = last(cursor)
        if not to_last:
            return min(end + 1, count - 1)
        return end if end > cursor else last(min(cursor + 1, count - 1))
    start = first(cursor)
    return start if start < cursor else first(max(cursor - 1, 0))


PHRASE_STOPS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "but", "as",
    "is", "was", "were", "are", "be", "been", "has", "have", "had", "this", "that", "these", "those", "its",
    "his", "her", "their", "our", "my", "your", "which", "who", "whom", "whose", "what", "when", "where",
    "while", "than", "then", "into", "onto", "over", "under", "about", "after", "before", "during", "it",
    "he", "she", "they", "we", "i", "you", "not", "said", "says", "will", "would", "can", "could", "also",
    "all", "because", "between", "along", "more", "very", "just", "only", "so", "if", "there", "here",
    "such", "any", "some", "many", "much", "each", "every", "other", "both", "no", "nor", "do", "does",
    "did", "being", "up", "down", "out", "off", "back", "again", "still", "even", "now", "through",
    "against", "without", "since", "until", "how", "why", "them", "him", "us", "me", "should", "may",
    "might", "must", "shall", "&",
})  # fmt: skip
"""Words a phrase (:func:`phrase_at`) stops at: a name joins across the few of them between capitalised
words (``Museum of Flight``, ``Evergreen Aviation & Space Museum``)."""
_NAME_JOINS = frozenset({"of", "&", "for", "the", "de", "la", "du", "von", "van"})
"""Not ``and``: more often between two names (``Australia and New Zealand``) than in one."""
_PHRASE_WORDS = 12
"""Words a phrase holds at most."""


def phrase_at(text: str, tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The name or noun phrase around token ``index``, as its first and last token: the words next to
    it on the line (one space apart; a word is tokens with nothing between them, as ``US-backed``, less
    the punctuation before and after it) that are not :data:`PHRASE_STOPS`, and between capitalised
    words the small ones a name holds (``Medical Journal of Australia``, ``laser light show``; a name
    and the lower-case words next to it are two phrases, a number before a noun is one: ``30th
    anniversary``); the token itself when it is no such word."""

    def word(i: int) -> tuple[int, int]:
        first, last = i, i
        while first > 0 and tokens[first - 1][1] == tokens[first][0]:
            first -= 1
        while last + 1 < len(tokens) and tokens[last][1] == tokens[last + 1][0]:
            last += 1
        while first < last and not text[tokens[first][0]].isalnum():
            first += 1
        while last > first and not text[tokens[last][0]].isalnum() and not _initial_dot(last):
            last -= 1
        return first, last

    def _initial_dot(i: int) -> bool:  # U.S., Steven F. Udvar-Hazy
        before = tokens[i - 1]
        one_letter = before[1] - before[0] == 1 and text[before[0]].isupper()
        return one_letter and text[tokens[i][0] : tokens[i][1]] == "."

    def content(w: tuple[int, int]) -> bool:
        start = tokens[w[0]][0]
        return text[start].isalnum() and text[start : tokens[w[0]][1]].lower() not in PHRASE_STOPS

    def capital(w: tuple[int, int]) -> bool:
        return text[tokens[w[0]][0]].isupper()

    def next_word(w: tuple[int, int], step: int) -> tuple[int, int] | None:
        """The word one space before (-1) or after (1) ``w``: nothing but a space between them."""
        i = w[0] - 1 if step < 0 else w[1] + 1
        if not 0 <= i < len(tokens):
            return None
        gap = text[tokens[i][1] : tokens[w[0]][0]] if step < 0 else text[tokens[w[1]][1] : tokens[i][0]]
        if gap != " ":
            return None
        found = word(i)
        edge = found[1] if step < 0 else found[0]
        return found if edge == i else None  # no punctuation between the two words

    def _is_name(w: tuple[int, int]) -> bool:
        return capital(w) or text[tokens[w[0]][0]].isdigit()

    def _leads(w: tuple[int, int]) -> bool:  # a number or an ordinal before a noun: 30th anniversary
        return text[tokens[w[0]][0]].isdigit()

    here = word(index)
    if not content(here) or not here[0] <= index <= here[1]:
        return index, index
    first, last = here
    for step in (-1, 1):
        at, count = here, 0
        while count < _PHRASE_WORDS:
            following = next_word(at, step)
            joined: list[tuple[int, int]] = []
            while following is not None and not content(following) and capital(at):
                small = text[tokens[following[0]][0] : tokens[following[1]][1]].lower()
                if small not in _NAME_JOINS or len(joined) == 2:
                    following = None
                    break
                joined.append(following)
                following = next_word(following, step)
            if following is None or not content(following) or (joined and not capital(following)):
                break
            if _is_name(at) != _is_name(following) and not _leads(at if step > 0 else following):
                break  # a name and the words around it are not one phrase
            at, count = following, count + 1
            first, last = min(first, at[0]), max(last, at[1])
    return first, last


def snap(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """Widen ``[start, end)`` to whole tokens; None when it holds no token."""
    found = token_range(tokens, start, end)
    if found is None:
        return None
    return tokens[found[0]][0], tokens[found[1] - 1][1]


# Bump when tokenize() or sentences() change in a way the patterns below do not show: cached token offsets
# (the export's cache in the database) are keyed by this fingerprint.
_RULES_VERSION = 2  # 2: a hyphen between words is a token of its own


def tokenizer_fingerprint() -> str:
    """A short string that changes whenever the tokens or sentences of some text could change."""
    import hashlib

    parts = [
        str(_RULES_VERSION),
        _TOKEN.pattern,
        regex.__version__,
        " ".join(sorted(_ABBREVIATIONS)),
        "".join(sorted(_TERMINAL)),
        "".join(sorted(_CLOSERS)),
    ]
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).hexdigest()


# --- tokens of many texts, fast ------------------------------------------------------------------------

# Tokens never start at whitespace, never run across it, and what the tokenizer's look-arounds see at a
# token's edges is the same whether whitespace or the end of the string is there. So a text is the
# concatenation of its chunks (runs between whitespace), each tokenized alone. One exception: a grapheme
# "Prepend" character (U+0600 and the like) glues the next character, even a space, into its cluster;
# texts holding one (or C0 separators, which str.split treats as whitespace and the tokenizer does not)
# are tokenized whole.
_NOT_CHUNKABLE = regex.compile(r"[\p{Grapheme_Cluster_Break=Prepend}\x1c-\x1f]")


class _ChunkTokens(dict[str, tuple[Token, ...]]):
    def __missing__(self, chunk: str) -> tuple[Token, ...]:
        tokens = self[chunk] = tuple(tokenize(chunk))
        return tokens


class _ChunkCounts(dict[str, int]):
    def __init__(self, tokens: _ChunkTokens) -> None:
        super().__init__()
        self._tokens = tokens

    def __missing__(self, chunk: str) -> int:
        count = self[chunk] = len(self._tokens[chunk])
        return count


class TokenCache:
    """The same tokens as :func:`tokenize`, for many texts: each distinct chunk is tokenized once.

    News text repeats its words, so counting the tokens of 10,000 articles this way is several times
    faster than tokenizing them (tests check every result against ``tokenize``).
    """

    def __init__(self) -> None:
        self._tokens = _ChunkTokens()
        self._counts = _ChunkCounts(self._tokens)

    def text(self, text: str) -> TextTokens:
        return TextTokens(self, text)


class TextTokens:
    """One text's token count and the tokens under given ranges, through a :class:`TokenCache`."""

    def __init__(self, cache: TokenCache, text: str) -> None:
        self._cache = cache
        self._text = text
        self._whole = tokenize(text) if _NOT_CHUNKABLE.search(text) else None
        self._count: int | None = None

    @property
    def count(self) -> int:
        """``len(tokenize(text))``."""
        if self._count is None:
            if self._whole is not None:
                self._count = len(self._whole)
            else:
                self._count = sum(map(self._cache._counts.__getitem__, self._text.split()))
        return self._count

    def overlapping(self, start: int, end: int) -> list[Token]:
        """The tokens sharing at least one character with ``[start, end)``, in order."""
        return self.overlapping_each([(start, end)])[start, end]

    def overlapping_each(self, ranges: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[Token]]:
        """:meth:`overlapping` for every range at once (one call per document keeps this fast)."""
        found: dict[tuple[int, int], list[Token]] = {}
        if self._whole is not None:
            for start, end in ranges:
                found[start, end] = [t for t in self._whole if overlaps(t[0], t[1], start, end)]
            return found
        text = self._text
        size = len(text)
        chunks = self._cache._tokens
        isspace = str.isspace
        for start, end in ranges:
            first = start
            while first and not isspace(text[first - 1]):
                first -= 1
            last = end
            while last < size and not isspace(text[last]):
                last += 1
            window = chunks[text[first:last]]
            if first == start and last == end:  # whole chunks: every token is under the range
                found[start, end] = [(first + s, first + e) for s, e in window]
            else:
                found[start, end] = [
                    (first + s, first + e) for s, e in window if overlaps(first + s, first + e, start, end)
                ]
        return found


# --- the tokens of one long text, as they are looked at ------------------------------------------------

BLOCK = 16_384
"""Characters (about) in one block of :class:`BlockTokens`: tokenized in a few milliseconds."""
KEPT_BLOCKS = 64
"""Blocks whose tokens :class:`BlockTokens` keeps (the least recently used go)."""
LONG_TEXT = 500_000
"""From this length on, :func:`text_tokens` gives :class:`BlockTokens` rather than a list (below, a list
costs a few MB and a tenth of a second, and indexing it is the fastest there is)."""
_WHITESPACE = re.compile(r"\s")


class BlockTokens(Sequence[Token]):
    """The same tokens as :func:`tokenize`, for a long text, without holding them all.

    A 10 MB article has 1.7 million tokens: a list of them takes 170 MB and two seconds to build. Here
    the text is cut at whitespace into blocks of about :data:`BLOCK` characters; each block's token count
    comes from a :class:`TokenCache` pass (tokens never run across whitespace, so a block's tokens are
    its chunks' tokens), and a block is tokenized only when one of its tokens is asked for (the most
    recently used :data:`KEPT_BLOCKS` are kept). Indexing, ``len`` and :func:`token_index_at` are what
    the article needs; iterating tokenizes the whole text block by block.
    """

    def __init__(self, text: str, block: int = BLOCK) -> None:
        self._text = text
        self._starts: list[int] = []
        """Each block's first offset (the first is 0; the others are at a whitespace character)."""
        self._firsts: list[int] = []
        """Each block's first token index."""
        counts = TokenCache()._counts
        total = 0
        position = 0
        size = len(text)
        while position < size or not self._starts:
            found = _WHITESPACE.search(text, position + block) if position + block < size else None
            stop = size if found is None else found.start()
            self._starts.append(position)
            self._firsts.append(total)
            total += sum(map(counts.__getitem__, text[position:stop].split()))
            position = stop
        self._total = total
        self._kept: OrderedDict[int, list[Token]] = OrderedDict()

    def _block(self, number: int) -> list[Token]:
        tokens = self._kept.get(number)
        if tokens is not None:
            self._kept.move_to_end(number)
            return tokens
        start = self._starts[number]
        stop = self._starts[number + 1] if number + 1 < len(self._starts) else len(self._text)
        tokens = [(start + s, start + e) for s, e in tokenize(self._text[start:stop])]
        self._kept[number] = tokens
        if len(self._kept) > KEPT_BLOCKS:
            self._kept.popitem(last=False)
        return tokens

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> Token: ...

    @overload
    def __getitem__(self, index: slice) -> list[Token]: ...

    def __getitem__(self, index: int | slice) -> Token | list[Token]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._total))]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        number = bisect.bisect_right(self._firsts, index) - 1  # never a block without tokens
        return self._block(number)[index - self._firsts[number]]

    def __iter__(self) -> Iterator[Token]:
        for number in range(len(self._starts)):
            yield from self._block(number)

    def index_at(self, offset: int) -> int:
        """:func:`token_index_at` for these tokens (it asks them): one block tokenized at most."""
        number = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        tokens = self._block(number)
        i = bisect.bisect_right(tokens, (offset, float("inf"))) - 1
        if i >= 0 and tokens[i][0] <= offset < tokens[i][1]:
            return self._firsts[number] + i
        return self._firsts[number] + i + 1


def text_tokens(text: str) -> Sequence[Token]:
    """The tokens of an article as the screen holds them: a list, or for a long text (that the tokenizer
    may cut into chunks) :class:`BlockTokens`."""
    if len(text) < LONG_TEXT or _NOT_CHUNKABLE.search(text):
        return tokenize(text)
    return BlockTokens(text)
