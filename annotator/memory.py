"""The in-document label memory: what the annotator tagged in a document, proposed again in it.

Plain functions over the text, its tokens and the annotator's spans there ``(start, end, label)``; each
returns :class:`~annotator.tagger.features.Hint` s of source ``memory`` (``annotator.suggest`` makes
proposals of them):

- :func:`memory_proposals`: the other occurrences of what was tagged, with its label (``Armenia`` ACTOR
  again after one was tagged ACTOR), the acronyms of tagged names and their expansions
  (:func:`acronym_hints`: ``KSC`` after ``Kennedy Space Center``, ``New South Wales`` after ``NSW``),
  and the head nouns of tagged phrases (:func:`head_hints`: ``last launch`` after ``first shuttle
  launch``);
- :func:`inner_names`: names inside a tagged name that the annotator tagged elsewhere or that the
  learned strings know (PLACE ``Southern Indiana`` inside ACTOR ``University of Southern Indiana``):
  the only proposals that lie inside a span (nested spans are names in names).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence

from annotator.spans import longest_first
from annotator.tagger.features import MEMORY, Hint, memory_hints
from annotator.text import Token, phrase_at, token_range

LOCATIVE = frozenset({
    "in", "at", "near", "inside", "into", "within", "throughout", "across", "outside", "around",
})  # fmt: skip
"""Prepositions after which a name is where something happens, not who acts (``in Armenia``)."""
MAX_INNER_TOKENS = 6
"""Tokens a name inside a tagged name spans at most (as a proposal: ``annotator.suggest.MAX_TOKENS``)."""
MIN_ACRONYM = 3
"""Letters of an acronym, at least (``KSC``): two are too often another name's too (``US`` for the
United States and the University of Sheffield)."""
SKIPPED_IN_ACRONYMS = frozenset({"of", "and", "for", "the", "on", "in", "at", "to", "&"})
"""Words of a name its acronym leaves out (``Department of Agriculture``: ``DA``)."""


def locative(text: str, tokens: Sequence[Token], start: int) -> bool:
    """Whether the token before the one starting at ``start`` is a :data:`LOCATIVE` preposition."""
    at = bisect.bisect_left(tokens, (start, -1))
    if at == 0:
        return False
    before = tokens[at - 1]
    return text[before[0] : before[1]].lower() in LOCATIVE


def memory_proposals(text: str, tokens: list[Token], tagged: list[tuple[int, int, str]]) -> list[Hint]:
    """The occurrences of what was tagged in this document (:func:`memory_hints`) and of the acronyms of
    tagged names and their expansions (:func:`acronym_hints`) that overlap no tagged span, none
    overlapping another (the longest first), in text order. An ACTOR's words after a locative
    preposition (``in Armenia`` once ``Armenia says`` was tagged ACTOR) are where something happens, not
    who acts: the memory leaves them to the model's reading."""
    covered = bytearray(len(text) + 1)
    for start, end, _ in tagged:
        covered[start:end] = b"\x01" * (end - start)
    kept: list[Hint] = []
    found = [*memory_hints(text, tokens, tagged), *acronym_hints(text, tokens, tagged)]
    heads = sorted(head_hints(text, tokens, tagged), key=lambda h: longest_first(h.start, h.end))
    for hint in [*sorted(found, key=lambda h: longest_first(h.start, h.end)), *heads]:
        if hint.label == "ACTOR" and locative(text, tokens, hint.start):
            continue
        if covered.find(1, hint.start, hint.end) == -1:
            kept.append(hint)
            covered[hint.start : hint.end] = b"\x01" * (hint.end - hint.start)
    return sorted(kept, key=lambda h: h.start)


MIN_HEAD = 4
"""Letters of a head noun the memory proposes again, at least (not ``use``, ``win``)."""


def head_hints(text: str, tokens: Sequence[Token], tagged: Iterable[tuple[int, int, str]]) -> list[Hint]:
    """The head nouns of tagged spans, where they are found again: a span ending in a word in lower case
    (an event's ``first shuttle launch``) teaches that word; each other place of it is proposed with
    that span's label, from the start of its noun phrase (:func:`annotator.text.phrase_at`, up to the
    head: ``last launch``). Behind the exact memory: only where that proposes nothing."""
    words = [text[s:e] for s, e in tokens]
    heads: dict[str, str] = {}
    for start, end, label in sorted(tagged):
        found = token_range(tokens, start, end)
        if found is not None:
            head = words[found[1] - 1]
            if head.isalpha() and head.islower() and len(head) >= MIN_HEAD:
                heads[head] = label
    out: list[Hint] = []
    if not heads:
        return out
    for i, word in enumerate(words):
        taught = heads.get(word)
        if taught is not None:
            first = min(phrase_at(text, tokens, i)[0], i)
            out.append(Hint(tokens[first][0], tokens[i][1], taught, MEMORY))
    return out


def acronym(words: Sequence[str]) -> str:
    """The initials of a name's capitalised words (``Kennedy Space Center``: ``KSC``), the small words
    left out; empty unless every other word is capitalised and there are :data:`MIN_ACRONYM` at least."""
    initials = _initials(words)
    return initials if initials is not None and len(initials) >= MIN_ACRONYM else ""


def _initials(words: Sequence[str]) -> str | None:
    """The first letters of the capitalised words (None: another word is in lower case)."""
    initials = ""
    for word in words:
        if word.lower() in SKIPPED_IN_ACRONYMS or not word[:1].isalnum():
            continue
        if not word[:1].isupper():
            return None
        initials += word[0]
    return initials


def _is_acronym(word: str) -> bool:
    return len(word) >= MIN_ACRONYM and word.isalpha() and word.isupper()


def acronym_hints(text: str, tokens: Sequence[Token], tagged: Iterable[tuple[int, int, str]]) -> list[Hint]:
    """Each tagged name's acronym where it stands as a word (``WHO`` after ``World Health Organisation``
    was tagged), and each tagged acronym's expansion (``New South Wales`` after ``NSW``), with the
    tagged span's label (the last tagged, where several give one)."""
    words = [text[s:e] for s, e in tokens]
    short: dict[str, str] = {}
    """An acronym: the label of the name it stands for."""
    expanded: dict[str, str] = {}
    """A tagged acronym: its label."""
    for start, end, label in sorted(tagged):
        found = token_range(tokens, start, end)
        if found is None:
            continue
        first, last = found
        if last - first == 1 and _is_acronym(words[first]):
            expanded[words[first]] = label
        elif initials := acronym(words[first:last]):
            short[initials] = label
    out: list[Hint] = []
    for i, word in enumerate(words):
        stands_for = short.get(word)
        if stands_for is not None:
            out.append(Hint(tokens[i][0], tokens[i][1], stands_for, MEMORY))
        if expanded and word[:1].isupper():
            out.extend(_expansions(tokens, words, i, expanded))
    return out


def _expansions(tokens: Sequence[Token], words: list[str], i: int, expanded: dict[str, str]) -> list[Hint]:
    """The names starting at token ``i`` whose acronym was tagged (``New South Wales`` for ``NSW``)."""
    out: list[Hint] = []
    if words[i].lower() in SKIPPED_IN_ACRONYMS:
        return out  # not "The World Health Organisation" for WHO
    for j in range(i + 1, min(len(words), i + 2 * MAX_INNER_TOKENS)):
        initials = _initials(words[i : j + 1])
        if initials is None:
            break
        label = expanded.get(initials) if words[j][:1].isupper() else None
        if label is not None:
            out.append(Hint(tokens[i][0], tokens[j][1], label, MEMORY))
    return out


def inner_names(
    text: str,
    tokens: Sequence[Token],
    tagged: Sequence[tuple[int, int, str]],
    learned: Callable[[str], str | None] = lambda mention: None,
) -> list[Hint]:
    """Names inside the annotator's names: in a tagged span that starts with a capital, each shorter run
    of its words that starts with a capital and that the annotator tagged elsewhere in this document
    (the last tagging's label), is the acronym of a name they tagged, or that ``learned`` gives a label
    (the learned strings, spelled as there). Inside a span of its own label (the innermost around it)
    only at that span's start and of two words at least (``Andy Warhol`` in ``Andy Warhol
    Foundation``; ``Warhol`` in ``Andy Warhol`` is no name of its own, nor ``Indiana`` in ``Southern
    Indiana``, nor ``University`` in ``University of Southern Indiana``; ``U.S.`` in ``U.S. Air Force``
    in ``National Museum of the U.S. Air Force`` is). Only those that lie inside every tagged span they
    overlap and are no tagged span's extent, none overlapping another (the longest first), in text
    order."""
    words = [text[s:e] for s, e in tokens]
    names: dict[str, str] = {}
    for start, end, label in sorted(tagged):
        names[text[start:end]] = label
        found = token_range(tokens, start, end)
        if found is not None and (initials := acronym(words[found[0] : found[1]])):
            names.setdefault(initials, label)
    extents = {(s, e) for s, e, _ in tagged}
    found_inside: dict[tuple[int, int], str] = {}
    for start, end, _ in tagged:
        if not text[start : start + 1].isupper():
            continue
        span_tokens = token_range(tokens, start, end)
        if span_tokens is None:
            continue
        first, last = span_tokens
        for i in range(first, last):
            if not words[i][:1].isupper() or (i > first and not text[tokens[i][0] - 1].isspace()):
                continue  # whole words of the name only (not ``S`` in ``U.S.``)
            for j in range(i, min(last, i + MAX_INNER_TOKENS)):
                inner = (tokens[i][0], tokens[j][1])
                if inner in extents or inner in found_inside or not _word_end(tokens, words, j):
                    continue
                if j + 1 < last and not text[inner[1]].isspace():
                    continue  # not ``U.S`` in ``U.S. Air Force``
                mention = text[inner[0] : inner[1]]
                name = names.get(mention) or learned(mention)
                if name is None:
                    continue
                around = min(
                    ((s, e, label) for s, e, label in tagged if s <= inner[0] and inner[1] <= e),
                    key=lambda span: span[1] - span[0],
                )
                if around[2] != name or (around[0] == inner[0] and " " in mention):
                    found_inside[inner] = name
    nests = nests_in((s, e) for s, e, _ in tagged)
    kept: list[Hint] = []
    taken: set[int] = set()
    for (start, end), label in sorted(found_inside.items(), key=lambda f: longest_first(*f[0])):
        if nests(start, end) and taken.isdisjoint(range(start, end)):
            kept.append(Hint(start, end, label, MEMORY))
            taken.update(range(start, end))
    return sorted(kept, key=lambda h: h.start)


def _word_end(tokens: Sequence[Token], words: list[str], j: int) -> bool:
    """Whether a name may end with token ``j``: a word, or an abbreviation's dot (``U.S.``)."""
    return words[j][:1].isalnum() or (words[j] == "." and j > 0 and tokens[j - 1][1] == tokens[j][0])


def nests_in(spans: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether ``[start, end)`` lies inside each of ``spans`` it overlaps (one at least) and is the extent
    of none: where a name inside a name may be proposed. For asking many times: no span may start or
    end strictly inside it (found by bisection), and one must cover it."""
    extents = set(spans)
    starts = sorted(s for s, _ in extents)
    ends = sorted(e for _, e in extents)
    merged_starts: list[int] = []
    merged_ends: list[int] = []
    for s, e in sorted(extents):
        if merged_ends and s <= merged_ends[-1]:
            merged_ends[-1] = max(merged_ends[-1], e)
        else:
            merged_starts.append(s)
            merged_ends.append(e)

    def nests(start: int, end: int) -> bool:
        if (start, end) in extents:
            return False
        if bisect.bisect_left(starts, end) > bisect.bisect_right(starts, start):
            return False  # a span starts inside it
        if bisect.bisect_left(ends, end) > bisect.bisect_right(ends, start):
            return False  # a span ends inside it
        i = bisect.bisect_right(merged_starts, start) - 1
        return i >= 0 and merged_ends[i] >= end

    return nests
