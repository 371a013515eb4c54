"""Pre-annotation: the mentions in a document that the KB or earlier annotations suggest tagging.

:func:`propose` looks at every window of 1 to ``MAX_TOKENS`` word tokens (the project's tokenizer, so a
proposal is always a span the TUI could make) and keeps

- **learned** windows: text tagged before in the annotator's learning sources (their own layer and
  gold: :func:`annotator.kb.learning_layers`), in any document (exact after
  :func:`annotator.kb.names.normalize`), with the label and KB id given most often; these rank first;
- **KB** windows: equal to a KB name or alias, or one edit from one (both at least 5 letters), that look
  like a name and not a common word. A gazetteer of 1.4 million names holds ``The``, ``Is``, ``Of``,
  ``Post`` and ``Arthur``, so a KB window must start and end with a capital letter; below 4 letters it must
  be spelled exactly as the KB spells it (``US``, not ``Is``); a one-edit match must not just add or drop
  letters at the end of a word (``Armenian`` is not ``Armenia`` nor ``Armenien``, ``Shells`` not
  ``Shell``) nor be a common capitalised word (``Monday`` is not ``Mondaí``); and a name that could be
  something else (at the start of a sentence, next to other capitalised words as in ``Arthur Hansen``, or
  written in lower case elsewhere in the document) needs a prominent entity (``PROMINENT`` people).

Overlapping proposals are resolved longest first. :func:`open_proposals` (which :func:`candidates` and the
annotation screen use) then drops what the user already has (any overlapping span of their layer) and what
they rejected (``store.edits.reject``, a step of the action log); accepting is
``store.edits.tag(doc_id, layer, as_accepted(c.span() for c in chosen))``. Nothing here reads the
database: the caller passes the text, the user's spans and their rejections in::

    spans, rejected = store.edits.spans(doc_id, layer), store.kb.rejected_suggestions(doc_id, layer)
    best_first(candidates(store.documents.get(doc_id).text, kb, spans, rejected))  # as `annotator suggest`
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.kb import FuzzyIndex, KnowledgeBase, Suggestion, normalize
from annotator.memory import inner_names, memory_proposals, nests_in
from annotator.model import Span, SpanKey
from annotator.spans import longest_first, overlaps
from annotator.tagger.features import Hint

if TYPE_CHECKING:
    from annotator.tagger import Tagger
from annotator.text import Token, sentences, tokenize

MAX_TOKENS = 6
GAZETTEER, LEARNED, MODEL = "kb", "learned", "model"
"""Where a proposal comes from: the KB (the gazetteer and other entries), text tagged before, the model."""
PROMINENT = 100_000.0
SHORT = 4
# Lower-case words that may join a multi-word place name (Bosnia and Herzegovina, Rio de Janeiro).
CONNECTORS = frozenset({
    "and", "of", "de", "del", "da", "do", "di", "du", "la", "le", "les", "el", "al", "am", "upon", "sur",
    "the",
})  # fmt: skip
# Function words, capitalised at the start of a sentence: never a proposal on their own.
FUNCTION_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "he", "her", "his", "i", "if", "in", "is",
    "it", "its", "of", "on", "or", "she", "so", "that", "the", "their", "there", "these", "they", "this",
    "to", "was", "we", "were", "what", "when", "where", "which", "who", "with", "you",
})  # fmt: skip


# Capitalised English words that GeoNames holds one edit away (Monday/Mondaí, French/Frencq): never
# matched fuzzily. Exact matches are judged by the other rules.
COMMON_WORDS = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "june", "july", "august", "september", "october", "november", "december",
    "french", "english", "british", "german", "dutch", "spanish", "turkish", "polish", "swedish", "danish",
    "irish", "scottish", "welsh", "finnish", "chinese", "japanese", "lebanese", "sudanese", "greek",
    "swiss", "thai", "czech", "christian", "muslim", "jewish", "catholic", "orthodox", "sunni", "shia",
})  # fmt: skip


# Endings that make a demonym or a plural of a name (Armenian, Azerbaijani).
DERIVED_SUFFIXES = frozenset({"n", "s", "i", "an", "ns", "is", "ian", "ians", "ans", "ese", "ish"})
# A window whose last word is in lower case (a typo on its capital: Lagos bsland) needs this many letters.
LOOSE_MIN_LENGTH = 8


@dataclass(frozen=True)
class Candidate:
    """A proposed span: where it is, the text there, and the suggestion (KB entry or learned) behind it."""

    start: int
    end: int
    text: str
    suggestion: Suggestion
    model_confidence: float | None = None
    """The model's confidence (0-1) when the model proposed it; None for the gazetteer and learned text."""
    also: tuple[str, ...] = ()
    """The other sources that propose the same span (a model proposal the gazetteer also finds)."""
    nested: bool = False
    """A name inside a name the annotator tagged (:func:`annotator.memory.inner_names`): open while it
    lies inside the spans it overlaps, where every other proposal is open while it overlaps none."""

    @property
    def source(self) -> str:
        """Where the proposal comes from: ``model``, ``learned`` or ``gazetteer``."""
        if self.model_confidence is not None:
            return MODEL
        return LEARNED if self.learned else GAZETTEER

    @property
    def confidence(self) -> float:
        """0-1: the model's confidence, else the match score (a learned text's is 1)."""
        return self.model_confidence if self.model_confidence is not None else self.score / 100

    @property
    def because(self) -> str:
        """Why it is proposed, for the panel and ``suggest``: ``model 0.83 + gazetteer``."""
        head = f"{self.source} {self.confidence:.2f}"
        return " + ".join([head, *self.also])

    @property
    def label(self) -> str:
        return self.suggestion.label

    @property
    def kb_id(self) -> str | None:
        return self.suggestion.kb_id

    @property
    def name(self) -> str:
        return self.suggestion.name

    @property
    def score(self) -> float:
        return self.suggestion.score

    @property
    def prominence(self) -> float:
        return self.suggestion.prominence

    @property
    def learned(self) -> bool:
        return self.suggestion.learned > 0

    def span(self) -> Span:
        return Span(self.start, self.end, self.label, self.kb_id, "suggestion")

    def to_json(self, doc_key: str) -> dict[str, Any]:
        """The shape of ``annotator suggest --json``: ``text`` is the mention in the article."""
        return {
            **self.suggestion.to_json(),
            "text": self.text,
            "doc": doc_key,
            "start": self.start,
            "end": self.end,
            "source": self.source,
            "confidence": round(self.confidence, 4),
            "also": list(self.also),
        }


def propose(text: str, kb: KnowledgeBase) -> list[Candidate]:
    """Every proposal for ``text``, in text order, none overlapping."""
    learned, in_kb = _found(text, tokenize(text), kb, kb)
    return _without_overlaps(learned + in_kb)


def _found(
    text: str, tokens: list[Token], kb: KnowledgeBase, learned_from: KnowledgeBase
) -> tuple[list[Candidate], list[Candidate]]:
    """The learned windows (their suggestions from ``learned_from``) and the KB windows of ``text``,
    overlapping: one pass over the windows for both."""
    words = [text[s:e] for s, e in tokens]
    is_word = [w[0].isalnum() for w in words]
    capital = [w[0].isupper() for w in words]
    sentence_start = {first for first, _ in sentences(text, tokens)}
    lower_words = {w for w in words if w.islower()}

    # joined[i]: token i follows token i-1 on the same line, separated by spaces only
    joined = [False] + [
        bool(gap) and gap.isspace() and "\n" not in gap
        for gap in (text[tokens[i - 1][1] : tokens[i][0]] for i in range(1, len(tokens)))
    ]
    # A window's key is its words' keys joined: normalize drops the spaces between them anyway.
    token_keys = [normalize(w) if is_word[i] else "" for i, w in enumerate(words)]

    def name_like(i: int) -> bool:
        """A capitalised word that is not just a sentence-initial function word."""
        return is_word[i] and capital[i] and words[i].lower() not in FUNCTION_WORDS

    found: list[Candidate] = []
    found_in_kb: list[Candidate] = []
    kb_windows: list[tuple[int, int]] = []
    keys: list[str] = []
    learned_keys = kb.learned.by_key
    n = len(tokens)
    for i in range(n):
        if not is_word[i]:
            continue
        key = ""
        kb_open = capital[i]
        for j in range(i, min(n, i + MAX_TOKENS)):
            if j > i and (not is_word[j] or not joined[j]):
                break
            key += token_keys[j]
            learned = learned_keys.get(key) if learned_keys else None
            if learned:
                start, end = tokens[i][0], tokens[j][1]
                suggestion = learned_from.learned_suggestion(learned[0], 100.0)
                found.append(Candidate(start, end, text[start:end], suggestion))
            if kb_open and (capital[j] or (j > i and words[j] not in CONNECTORS)):
                kb_windows.append((i, j))
                keys.append(key)
            if j > i and not (capital[j] or words[j] in CONNECTORS):
                kb_open = False  # only the last word of a KB window may be in lower case
    dotted = _initialisms(text, tokens, words)
    for i, j in dotted:
        kb_windows.append((i, j))
        keys.append(normalize(text[tokens[i][0] : tokens[j][1]]))
    index = kb.index
    if index is not None and kb_windows:
        for (i, j), key, matches in zip(kb_windows, keys, index.match_keys(keys), strict=True):
            if not matches:
                continue
            start, end = tokens[i][0], tokens[j][1]
            mention = text[start:end]
            written = mention.replace(".", "") if (i, j) in dotted else mention
            if mention.lower() in FUNCTION_WORDS:
                continue  # The, Is, Of: never, however well known a place of that name
            best: tuple[float, float, int, int] | None = None
            derived = key in COMMON_WORDS or any(_derived_from(key, index, k) for k, _ in matches)
            for key_index, score in matches:
                candidate_key = index.keys[key_index]
                if score < 100 and derived:
                    continue
                entry = index.entries_of(key_index)[0]
                prominence = float(index.entry_prominence[entry])
                if len(key) < SHORT and index.spelling(entry, candidate_key) != written:
                    continue
                if (
                    not capital[j]
                    and (i, j) not in dotted
                    and not (
                        len(key) >= LOOSE_MIN_LENGTH
                        and index.spelling(entry, candidate_key).split()[-1][:1].isupper()
                    )
                ):
                    continue  # a lower-case last word only where the KB writes it with a capital
                if best is None or (score, prominence) > best[:2]:
                    best = (score, prominence, entry, key_index)
            if best is None:
                continue
            score, prominence, entry, key_index = best
            ambiguous = (
                (i in sentence_start and i == j)
                or (i > 0 and joined[i] and name_like(i - 1))
                or (j + 1 < n and joined[j + 1] and name_like(j + 1))
                or mention.lower() in lower_words
            )
            if ambiguous and prominence < PROMINENT:
                continue
            found_in_kb.append(
                Candidate(start, end, mention, index.suggestion(entry, index.keys[key_index], score))
            )
    return found, found_in_kb


def _initialisms(text: str, tokens: list[Token], words: list[str]) -> set[tuple[int, int]]:
    """Dotted initialisms (``U.S.``, ``U.K.``: the tokenizer makes four tokens of each, which no window
    of words joins) as token ranges ``(first, last)``, last inclusive: two or more capital letters each
    followed by a dot, nothing between them. Matched as the KB spells them without the dots (``US``)."""
    out: set[tuple[int, int]] = set()
    n = len(tokens)
    i = 0
    while i < n:
        j = i
        while (
            j + 1 < n
            and len(words[j]) == 1
            and words[j].isupper()
            and words[j + 1] == "."
            and tokens[j][1] == tokens[j + 1][0]
            and (j == i or tokens[j - 1][1] == tokens[j][0])
        ):
            j += 2
        if j - i >= 4 and not (i > 0 and tokens[i - 1][1] == tokens[i][0] and words[i - 1][:1].isalnum()):
            out.add((i, j - 1))
            i = j
        else:
            i += 1
    return out


def _derived_from(key: str, index: FuzzyIndex, key_index: int) -> bool:
    """Whether ``key`` is a prominent name plus a demonym or plural ending (Armenian, Azerbaijani): then
    its one-edit neighbours (Armenien) are not typos of it either."""
    name = index.keys[key_index]
    if not (key.startswith(name) and key[len(name) :] in DERIVED_SUFFIXES):
        return False
    return float(index.entry_prominence[index.entries_of(key_index)[0]]) >= PROMINENT


def _without_overlaps(found: list[Candidate]) -> list[Candidate]:
    """Learned first, then the longest, then the best score; the rest that overlap are dropped."""
    kept: list[Candidate] = []
    starts: list[int] = []  # the kept ones' starts and ends, by start: they never overlap one another,
    ends: list[int] = []  # so only the last one starting before a candidate ends can overlap it
    for c in sorted(
        found, key=lambda c: (not c.learned, longest_first(c.start, c.end), -c.score, -c.prominence)
    ):
        at = bisect.bisect_left(starts, c.end)
        if at and overlaps(c.start, c.end, starts[at - 1], ends[at - 1]):
            continue
        kept.append(c)
        starts.insert(at, c.start)
        ends.insert(at, c.end)
    return sorted(kept, key=lambda c: c.start)


def best_first(found: list[Candidate]) -> list[Candidate]:
    """Text tagged before first, then the most confident, the best known entity, the earliest position."""
    return sorted(found, key=lambda c: (not c.learned, -c.confidence, -c.prominence, c.start))


def open_proposals(
    proposed: Iterable[Candidate],
    rejected: Collection[SpanKey],
    covered: Callable[[int, int], bool],
    nests: Callable[[int, int], bool] | None = None,
) -> list[Candidate]:
    """The proposals still open to an annotator: not one they rejected (``(start, end, label)``, as
    ``store.kb.rejected_suggestions`` gives them) and not overlapping one of their spans (``covered(start,
    end)``: whether one does; the annotation screen asks its article, which finds spans by line), or,
    a name inside their names (``Candidate.nested``), inside the spans it overlaps (``nests(start, end)``,
    :func:`annotator.memory.nests_in`; without it, none of those)."""
    return [
        c
        for c in proposed
        if (c.start, c.end, c.label) not in rejected
        and ((nests is not None and nests(c.start, c.end)) if c.nested else not covered(c.start, c.end))
    ]


def candidates(
    text: str,
    kb: KnowledgeBase,
    spans: Iterable[Span],
    rejected: Collection[SpanKey],
    tagger: Tagger | None = None,
    threshold: float = 0.0,
) -> list[Candidate]:
    """The proposals for an annotator on a document's ``text`` that are open to them
    (:func:`open_proposals`), ``spans`` being their spans there; the model's with ``tagger``."""
    have = [(s.start, s.end) for s in spans]

    def covered(start: int, end: int) -> bool:
        return any(overlaps(start, end, s, e) for s, e in have)

    tagged = [(s.start, s.end, s.label) for s in spans]
    found = propose_all(text, kb, tagger, threshold, tagged)
    return open_proposals(found, rejected, covered, nests_in(have))


def propose_all(
    text: str,
    kb: KnowledgeBase,
    tagger: Tagger | None,
    threshold: float,
    tagged: Iterable[tuple[int, int, str]] = (),
) -> list[Candidate]:
    """The proposals for ``text``: without a model, :func:`propose`'s; with one, the model's at or above
    ``threshold`` (the KB's and learned strings' proposals are its features), each with the other sources
    that propose the same span and their KB link. Learned text the model leaves out is not added: on
    held-out news that lowered precision more than it raised recall (bench/model.py). ``tagged``: the
    annotator's spans in this document ``(start, end, label)``, with or without a model: the in-document
    label memory (:func:`annotator.memory.memory_proposals`) in place of the proposals it overlaps, and
    the names inside their names (:func:`annotator.memory.inner_names`)."""
    tagged = list(tagged)
    if tagger is None:
        plain = propose(text, kb)
        if not tagged:
            return plain
        tokens = tokenize(text)

        known: dict[tuple[str, str], Suggestion] = {}

        def linked_in_kb(mention: str, label: str) -> Suggestion:
            found_link = known.get((mention, label))
            if found_link is None:
                found_link = known[mention, label] = kb_link(kb, mention, label)
            return found_link

        plain = _remembered(text, tokens, kb, plain, tagged, linked_in_kb)
        return sorted([*plain, *_nested(text, tokens, kb, tagged, linked_in_kb)], key=lambda c: c.start)
    tokens = tokenize(text)
    by_source = _proposals_by_source(text, kb, tokens)
    found = _hints(by_source)

    same: dict[tuple[int, int, str], list[Candidate]] = {}
    for cs in by_source.values():
        for c in cs:
            same.setdefault((c.start, c.end, c.label), []).append(c)
    countries = _countries_mentioned(text, found)
    # kb_link of each mention and label once: what the model proposes recurs in a document (on the
    # 5,146-word article of bench/model.py, 424 proposals to link, 245 distinct: 0.9 s of fuzzy search).
    links: dict[tuple[str, str], Suggestion] = {}

    def link_of(mention: str, label: str) -> Suggestion:
        found_link = links.get((mention, label))
        if found_link is None:
            found_link = links[mention, label] = kb_link(kb, mention, label, countries)
        return found_link

    proposed: list[Candidate] = []
    for p in tagger.predict(text, found, tokens):
        if p.confidence < threshold:
            continue
        mention = text[p.start : p.end]
        others = same.get((p.start, p.end, p.label), [])
        linked = [c.suggestion for c in others if c.kb_id]
        link = linked[0] if linked else link_of(mention, p.label)
        if link.kb_id is None:  # no KB entry: the learned string's match (score 100), where one proposes it
            link = next((c.suggestion for c in others if c.learned), link)
        also = tuple(sorted({c.source for c in others}))
        proposed.append(Candidate(p.start, p.end, mention, link, model_confidence=p.confidence, also=also))
    if tagged:
        proposed = _remembered(text, tokens, kb, proposed, tagged, link_of)
        proposed = sorted([*proposed, *_nested(text, tokens, kb, tagged, link_of)], key=lambda c: c.start)
    return proposed


def _remembered(
    text: str,
    tokens: list[Token],
    kb: KnowledgeBase,
    proposed: list[Candidate],
    tagged: list[tuple[int, int, str]],
    link_of: Callable[[str, str], Suggestion],
) -> list[Candidate]:
    """The in-document label memory: each other occurrence of words the annotator tagged in this document
    and of their acronyms (:func:`annotator.memory.memory_proposals`) proposed with the label tagged
    there, in place of the model's (or the KB's) proposals it overlaps. On the team's documents
    (bench/model.py --team-folds, the second half of each article with its first half tagged) this rule
    scored F1 0.63 against 0.45 for the model alone and 0.55 for the same memory as a feature the model
    learns; as a feature it also lowered the model's proposals in documents with nothing tagged yet
    (0.48 → 0.44)."""
    kept = memory_proposals(text, tokens, tagged)
    if not kept:
        return proposed
    covered = bytearray(len(text) + 1)
    for hint in kept:
        covered[hint.start : hint.end] = b"\x01" * (hint.end - hint.start)
    by_span = {(c.start, c.end, c.label): c for c in proposed}
    out = [c for c in proposed if covered.find(1, c.start, c.end) == -1]
    for hint in kept:
        mention = text[hint.start : hint.end]
        suggestion = _taught(kb, mention, hint.label, link_of)
        replaced = by_span.get((hint.start, hint.end, hint.label))
        also = (replaced.source,) if replaced is not None else ()
        out.append(Candidate(hint.start, hint.end, mention, suggestion, also=also))
    return sorted(out, key=lambda c: c.start)


def _taught(
    kb: KnowledgeBase, mention: str, label: str, link_of: Callable[[str, str], Suggestion]
) -> Suggestion:
    """The suggestion behind a proposal the annotator's own tags make: the learned string's (its KB link),
    else the KB's link for the mention."""
    names = [n for n in kb.learned.by_key.get(normalize(mention), ()) if n.label == label]
    if names:
        return kb.learned_suggestion(names[0], 100.0)
    return dataclasses.replace(link_of(mention, label), score=100.0, learned=1)


def _nested(
    text: str,
    tokens: list[Token],
    kb: KnowledgeBase,
    tagged: list[tuple[int, int, str]],
    link_of: Callable[[str, str], Suggestion],
) -> list[Candidate]:
    """The names inside the annotator's names (:func:`annotator.memory.inner_names`, the learned strings
    among them), as proposals."""
    by_key = kb.learned.by_key

    def learned(mention: str) -> str | None:
        names = by_key.get(normalize(mention), ()) if by_key else ()
        return next((n.label for n in names if n.text == mention), None)

    return [
        Candidate(
            h.start,
            h.end,
            text[h.start : h.end],
            _taught(kb, text[h.start : h.end], h.label, link_of),
            nested=True,
        )
        for h in inner_names(text, tokens, tagged, learned)
    ]


def _proposals_by_source(text: str, kb: KnowledgeBase, tokens: list[Token]) -> dict[str, list[Candidate]]:
    """:func:`propose` with the KB alone and with the learned text alone (``tokens``: the text's), in
    one pass over the windows."""
    learned, in_kb = _found(text, tokens, kb, KnowledgeBase(None, kb.learned))
    found: dict[str, list[Candidate]] = {}
    if kb.index is not None:
        found[GAZETTEER] = _without_overlaps(in_kb)
    if kb.learned.by_key:
        found[LEARNED] = _without_overlaps(learned)
    return found


LINK_MIN_SCORE = 90.0
"""A model proposal links to a KB entry only when the entry's name matches the mention this well."""


def kb_link(kb: KnowledgeBase, mention: str, label: str, countries: Collection[str] = ()) -> Suggestion:
    """The suggestion behind a model proposal: the best KB entry of ``label`` for ``mention`` scoring at
    least :data:`LINK_MIN_SCORE`, those in one of ``countries`` (the countries the document mentions) first
    (``Martuni`` in an article about Azerbaijan and Armenia); no KB id when none does."""
    best: Suggestion | None = None
    best_key: tuple[bool, float, float] | None = None
    for found in kb.search(mention, label, limit=10) if kb.index is not None else []:
        if found.score < LINK_MIN_SCORE or not found.kb_id:
            continue
        country = (found.description or "").split(",")[0].strip()
        key = (country in countries, found.score, found.prominence)
        if best_key is None or key > best_key:
            best, best_key = found, key
    if best is None:
        return Suggestion(mention, mention, label, 0.0, None)
    return Suggestion(best.name, mention, label, best.score, best.kb_id, best.description, 0, best.prominence)


def _countries_mentioned(text: str, found: Iterable[Hint]) -> set[str]:
    """The places the gazetteer finds in ``text``, as written: the countries an entry's description
    may name."""
    return {text[h.start : h.end] for h in found if h.source == GAZETTEER and h.label == "PLACE"}


def hints(text: str, kb: KnowledgeBase, tokens: list[Token] | None = None) -> list[Hint]:
    """What the KB and the learned strings propose in ``text``, each on its own (the model's features:
    where both propose a span, it sees both). ``tokens``: ``tokenize(text)`` when the caller has it."""
    found = _proposals_by_source(text, kb, tokenize(text) if tokens is None else tokens)
    return _hints(found)


FUZZY = "kb~"
"""The hint source that a gazetteer proposal one edit from the KB's name (``Afghan`` for the Iranian
village ``Afghān``, ``Ahmed`` for ``Ahmadi``) has besides ``kb``: the model learns how much less it says."""


def _hints(by_source: dict[str, list[Candidate]]) -> list[Hint]:
    out = [Hint(c.start, c.end, c.label, source) for source, cs in by_source.items() for c in cs]
    out += [Hint(c.start, c.end, c.label, FUZZY) for c in by_source.get(GAZETTEER, ()) if c.score < 100]
    return out
