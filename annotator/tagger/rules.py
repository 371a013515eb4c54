"""Rules over the spans the CRF tagged in one document, before they become proposals: what a tag sequence
read token by token does not see, and the corpus's guideline says.

- A name ending on an initial takes the rest of the initials (``Washington D`` → ``Washington D.C.``:
  the tokenizer splits ``D.C.`` into four tokens).
- Titles are not part of a name (``President Donald Trump`` → ``Donald Trump``; ``U.S. President Barack
  Obama`` → ``Barack Obama``, and ``U.S.`` a place when the gazetteer says so); a title alone
  (``Afghan Ambassador``) is not a name.
- A name's last word alone elsewhere in the document is the same actor (``Mohamed`` after ``Ahmed
  Mohamed``; the gazetteer's ``Paris`` after ``Valeska Paris``).
- What the model tagged once is proposed at the text's other occurrences too, with the label and
  confidence of its most confident tagging (GUM labels an entity for its whole coreference chain).

Each was chosen on the team's documents (``bench/model.py --team-folds``), never the held-out articles.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from typing import NamedTuple

from annotator.tagger.features import noun_senses


class Tagged(NamedTuple):
    """A span of tokens ``[first, last)`` the model tagged, with its confidence."""

    first: int
    last: int
    label: str
    confidence: float


TITLES = frozenset({
    "president", "vice", "ambassador", "minister", "prime", "secretary", "senator", "sen", "governor",
    "gov", "mayor", "king", "queen", "prince", "princess", "general", "gen", "colonel", "col", "captain",
    "capt", "lieutenant", "lt", "sergeant", "sgt", "dr", "mr", "mrs", "ms", "miss", "professor", "prof",
    "judge", "justice", "chairman", "chairwoman", "ceo", "director", "spokesperson", "spokesman",
    "spokeswoman", "chancellor", "pope", "bishop", "reverend", "rev", "sir", "dame", "sheikh", "commander",
    "chief", "deputy", "representative", "rep", "congressman", "congresswoman", "officer", "detective",
    "inspector", "superintendent", "principal", "coach", "founder", "co-founder", "cofounder", "emperor",
    "ayatollah", "imam", "rabbi", "father", "brother", "sister", "saint", "st",
})  # fmt: skip
"""Words that stand before a name and are not part of it (lower case, without a final dot)."""

RULES = frozenset({"initials", "demonyms", "titles", "bare", "parts", "spread"})
"""The rules :func:`refine` applies. On the team folds (F1 team model / starter): none 0.477 / 0.345;
titles 0.490 / 0.380; + name parts 0.535 / 0.414; + one label per text 0.531 / 0.414 (left out); + what
was tagged spread to the other occurrences 0.570 / 0.424 (spreading only what the model gave 0.8 or more:
0.540 / 0.411; 0.6: 0.567 / 0.415); + initials taken (``Washington D.C.``) 0.579 / 0.434; + a title with
no name after it dropped 0.582 / 0.434."""


DEMONYM_ENDINGS = ("an", "ese", "ish", "i")
"""How a people's adjective ends (``Afghan``, ``Gabonese``, ``Turkish``, ``Azerbaijani``)."""


def _without_demonyms(words: Sequence[str], spans: list[Tagged]) -> list[Tagged]:
    """A one-word name ending like a demonym before a common noun for people or a group (``Afghan
    team``, ``Armenian officials``) is an adjective, not an actor nor a place; not a place's own name
    (``Michigan team``), nor before a verb (``Iran says``)."""
    out: list[Tagged] = []
    for span in spans:
        if span.last - span.first == 1 and span.label in ("ACTOR", "PLACE"):
            word = words[span.first]
            following = words[span.last] if span.last < len(words) else ""
            if (
                word.lower().endswith(DEMONYM_ENDINGS)
                and following.isalpha()
                and following.islower()
                and not _a_place(word)
                and (senses := noun_senses(following)) is not None
                and senses[0] in ("person", "group")
            ):
                continue
        out.append(span)
    return out


def _a_place(word: str) -> bool:
    """Whether WordNet knows ``word`` as a place (``Michigan``, ``Iran``, ``Jordan``: no demonyms)."""
    senses = noun_senses(word)
    return senses is not None and "location" in senses[1]


def _is_title(word: str) -> bool:
    return word[:1].isupper() and word.lower().rstrip(".") in TITLES


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def refine(
    words: Sequence[str], spans: Sequence[Tagged], places: Collection[tuple[int, int]] = ()
) -> list[Tagged]:
    """The spans of one document after the rules, in token order, none overlapping. ``words``: the
    document's tokens' text; ``places``: the token ranges the gazetteer proposes as places."""
    out = list(spans)
    if "initials" in RULES:
        out = _initials(words, out)
    if "titles" in RULES:
        out = _without_titles(words, out, places)
    if "parts" in RULES:
        out = _name_parts(words, out, places)
    if "spread" in RULES:
        out = _spread(words, out)
    if "demonyms" in RULES:
        out = _without_demonyms(words, out)
    return sorted(out)


def _without_titles(
    words: Sequence[str], spans: list[Tagged], places: Collection[tuple[int, int]]
) -> list[Tagged]:
    out: list[Tagged] = []
    for span in spans:
        if "bare" in RULES and span.label in ("ACTOR", "PLACE") and _is_title(words[span.last - 1]):
            continue  # a title with no name after it (Afghan Ambassador, President): not a name
        if span.label not in ("ACTOR", "PLACE") or span.last - span.first < 2:
            out.append(span)
            continue
        titles = [i for i in range(span.first, span.last - 1) if _is_title(words[i])]
        named = [i for i in titles if _capitalised(words[i + 1]) and not _is_title(words[i + 1])]
        if not named:
            out.append(span)
            continue
        name_at = named[-1] + 1
        if titles[0] > span.first and (span.first, titles[0]) in places:
            out.append(Tagged(span.first, titles[0], "PLACE", span.confidence))
        out.append(Tagged(name_at, span.last, "ACTOR", span.confidence))
    return out


def _standalone(words: Sequence[str], i: int) -> bool:
    """A capitalised word with no capitalised word next to it (not part of a longer name here)."""
    before = i > 0 and _capitalised(words[i - 1]) and words[i - 1][:1].isalnum()
    after = i + 1 < len(words) and _capitalised(words[i + 1])
    return _capitalised(words[i]) and not before and not after


COMPASS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "new",
    "upper", "lower", "greater", "northwest", "northeast", "southwest", "southeast", "mid",
})  # fmt: skip
"""First words of region names (``South Australia``, ``Southern Indiana``, ``New South Wales``), never of a
person's name."""


def _person_like(words: Sequence[str], span: Tagged, places: Collection[tuple[int, int]]) -> bool:
    """Whether the last word of an ACTOR span may stand alone elsewhere for it (``Mohamed`` after ``Ahmed
    Mohamed``): not when the span is a region's name (a ``South Australia`` the model tags ACTOR would
    make every ``Australia`` of the document an actor) nor a place of the gazetteer as a whole."""
    return (span.first, span.last) not in places and words[span.first].lower() not in COMPASS


def _name_parts(
    words: Sequence[str], spans: list[Tagged], places: Collection[tuple[int, int]] = ()
) -> list[Tagged]:
    surnames: dict[str, float] = {}
    for span in spans:
        if span.label == "ACTOR" and span.last - span.first >= 2 and _person_like(words, span, places):
            tail = words[span.last - 1]
            if _capitalised(tail) and tail[:1].isalpha() and not _is_title(tail):
                surnames[tail] = max(surnames.get(tail, 0.0), span.confidence)
    if not surnames:
        return spans
    at = {span.first: span for span in spans}
    covered = _covered(len(words), spans)
    out = list(spans)
    for i in _where(words, surnames):
        confidence = surnames[words[i]]
        if not _standalone(words, i):
            continue
        here = at.get(i)
        if here is not None and here.last == i + 1:
            if here.label != "ACTOR":
                out[out.index(here)] = Tagged(i, i + 1, "ACTOR", max(confidence, here.confidence))
        elif not covered[i]:
            out.append(Tagged(i, i + 1, "ACTOR", confidence))
    return out


def _where(words: Sequence[str], keys: Collection[str]) -> Iterator[int]:
    """The indices of the words that are among ``keys``, in order (without a step of Python a word)."""
    return itertools.compress(itertools.count(), map(keys.__contains__, words))


def _covered(n: int, spans: Sequence[Tagged]) -> bytearray:
    covered = bytearray(n)
    for span in spans:
        covered[span.first : span.last] = b"\x01" * (span.last - span.first)
    return covered


def _spread(words: Sequence[str], spans: list[Tagged]) -> list[Tagged]:
    sure: dict[tuple[str, ...], Tagged] = {}
    for span in spans:
        key = tuple(words[span.first : span.last])
        if key not in sure or span.confidence > sure[key].confidence:
            sure[key] = span
    if not sure:
        return spans
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for key in sure:
        by_first.setdefault(key[0], []).append(key)
    n = len(words)
    covered = _covered(n, spans)
    out = list(spans)
    for i in _where(words, by_first):
        for key in by_first[words[i]]:
            last = i + len(key)
            if last > n or covered.find(1, i, last) != -1 or tuple(words[i:last]) != key:
                continue
            capital = _capitalised(key[0])
            if capital and (
                (i > 0 and _capitalised(words[i - 1]) and words[i - 1][:1].isalnum())
                or (last < n and _capitalised(words[last]))
            ):
                continue  # part of a longer name here
            if not capital and any(w[:1].isupper() for w in words[i:last]):
                continue
            source = sure[key]
            out.append(Tagged(i, last, source.label, source.confidence))
            covered[i:last] = b"\x01" * (last - i)
    return out


def _initials(words: Sequence[str], spans: list[Tagged]) -> list[Tagged]:
    """A span ending on an initial (``Washington D`` of ``Washington D.C.``) takes the dots and initials
    after it: the tokenizer splits ``D.C.`` into four tokens."""
    starts = {span.first for span in spans}
    out: list[Tagged] = []
    n = len(words)
    for span in spans:
        last = span.last
        while (
            len(words[last - 1]) == 1
            and words[last - 1].isupper()
            and last < n
            and words[last] == "."
            and last not in starts
        ):
            last += 1  # the dot
            if not (
                last + 1 < n and len(words[last]) == 1 and words[last].isupper() and words[last + 1] == "."
            ):
                break
            if last in starts:
                break
            last += 1  # the next initial, whose dot the loop takes
        out.append(span if last == span.last else span._replace(last=last))
    return out
