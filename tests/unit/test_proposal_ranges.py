"""The bisections behind proposals, against the plain loops they replace: the proposals near an edit, and
dropping overlapping candidates (learned first, then the longest)."""

from __future__ import annotations

import itertools
import random

from annotator.kb import Suggestion
from annotator.model import Span
from annotator.spans import longest_first, overlaps
from annotator.suggest import Candidate, _without_overlaps
from annotator.tui.proposals import overlapping


def random_spans(rng: random.Random, n: int, text_length: int = 2000) -> list[Span]:
    spans = []
    for _ in range(n):
        start = rng.randrange(text_length)
        spans.append(Span(start, start + rng.randint(1, 40), "PLACE"))
    return sorted(spans, key=lambda s: s.start)


def test_overlapping_finds_what_a_loop_over_every_item_finds() -> None:
    rng = random.Random(5)
    for _ in range(300):
        items = random_spans(rng, rng.randint(0, 60))
        ranges = [(s.start, s.end) for s in random_spans(rng, rng.randint(0, 5))]
        expected = [i for i in items if any(overlaps(i.start, i.end, s, e) for s, e in ranges)]
        assert overlapping(items, ranges) == expected


def test_dropping_overlaps_keeps_what_comparing_with_every_kept_one_keeps() -> None:
    rng = random.Random(9)
    for _ in range(300):
        found = []
        for span in random_spans(rng, rng.randint(0, 50), 300):
            learned = int(rng.random() < 0.3)
            suggestion = Suggestion("x", "x", "PLACE", float(rng.randint(80, 100)), None, learned=learned)
            found.append(Candidate(span.start, span.end, "x", suggestion))
        kept: list[Candidate] = []
        order = sorted(
            found, key=lambda c: (not c.learned, longest_first(c.start, c.end), -c.score, -c.prominence)
        )
        for c in order:
            if not any(overlaps(c.start, c.end, k.start, k.end) for k in kept):
                kept.append(c)
        assert _without_overlaps(found) == sorted(kept, key=lambda c: c.start)


def test_a_saved_text_is_proposed_once_at_each_of_its_other_places() -> None:
    """``Y`` saves every proposal at once: four ``Nagorno`` spans found the fifth ``Nagorno`` four times,
    drawn as four ``PLACE?`` tags (and the three left over a span once the first was taken)."""
    from annotator.text import tokenize
    from annotator.tui.proposals import repeats

    text = "Nagorno and Nagorno, Nagorno-Karabakh, Nagorno; then Nagorno and Nagorno-Karabakh again."
    tokens = tokenize(text)
    places = [i for i in range(len(text)) if text.startswith("Nagorno", i)]
    saved = [Span(at, at + 7, "PLACE") for at in places[:4]]
    saved.append(Span(places[2], places[2] + len("Nagorno-Karabakh"), "ACTOR"))

    def free(start: int, end: int) -> bool:
        return not any(overlaps(start, end, s.start, s.end) for s in saved)

    found = repeats(text, tokens, saved, set(), free)
    assert [(c.start, c.end) for c in found] == [(places[4], places[4] + 7), (places[5], places[5] + 7)]
    assert [c.label for c in found] == ["PLACE", "PLACE"]  # the later Nagorno-Karabakh is not over it
    for a, b in itertools.pairwise(found):
        assert not overlaps(a.start, a.end, b.start, b.end)
