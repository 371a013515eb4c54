"""The in-document memory beyond the words tagged: acronyms of tagged names (and the names of tagged
acronyms), and names inside tagged names, proposed as the screen's nested spans."""

from __future__ import annotations

from annotator.memory import acronym, inner_names, memory_proposals, nests_in
from annotator.text import tokenize


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _found(text: str, hints: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(text[h.start : h.end], h.label) for h in hints]


def test_a_tagged_names_acronym_is_proposed_with_its_label_and_a_tagged_acronyms_name() -> None:
    text = (
        "The Kennedy Space Center opened. Visitors to KSC saw it. NSW said so. "
        "Later New South Wales agreed, and the KSC again."
    )
    tagged = [(*_at(text, "Kennedy Space Center"), "PLACE"), (*_at(text, "NSW"), "ACTOR")]
    found = _found(text, memory_proposals(text, tokenize(text), tagged))
    assert found == [("KSC", "PLACE"), ("New South Wales", "ACTOR"), ("KSC", "PLACE")]


def test_acronyms_leave_out_small_words_and_need_three_letters() -> None:
    assert acronym(["Department", "of", "Agriculture", "Research"]) == "DAR"
    assert acronym(["World", "Health", "Organisation"]) == "WHO"
    assert acronym(["United", "States"]) == ""  # US: another name's too (University of Sheffield)
    assert acronym(["la", "Repubblica", "Italiana"]) == ""  # a word in lower case: no acronym


def test_a_name_tagged_elsewhere_is_proposed_inside_a_tagged_name_of_another_label() -> None:
    text = "Southern Indiana is flat. The University of Southern Indiana opened."
    tagged = [
        (*_at(text, "Southern Indiana"), "PLACE"),
        (*_at(text, "University of Southern Indiana"), "ACTOR"),
    ]
    found = inner_names(text, tokenize(text), tagged)
    assert _found(text, found) == [("Southern Indiana", "PLACE")]
    assert (found[0].start, found[0].end) == _at(text, "Southern Indiana", 1)


def test_inside_a_name_of_its_own_label_only_a_name_of_two_words_at_its_start() -> None:
    text = "Andy Warhol and Warhol. The Andy Warhol Foundation paid. Indiana and Southern Indiana."
    tagged = [
        (*_at(text, "Andy Warhol"), "ACTOR"),
        (*_at(text, "Warhol", 1), "ACTOR"),
        (*_at(text, "Andy Warhol Foundation"), "ACTOR"),
        (*_at(text, "Indiana"), "PLACE"),
        (*_at(text, "Southern Indiana"), "PLACE"),
    ]
    found = _found(text, inner_names(text, tokenize(text), tagged))
    assert found == [("Andy Warhol", "ACTOR")]  # not Warhol in Andy Warhol, nor Indiana in Southern Indiana


def test_learned_strings_name_inner_names_spelled_as_learned_and_whole_words_only() -> None:
    text = "The U.S. Air Force flew."
    tagged = [(*_at(text, "U.S. Air Force"), "ACTOR")]
    learned = {"U.S.": "PLACE", "U.S": "PLACE"}.get
    assert _found(text, inner_names(text, tokenize(text), tagged, learned)) == [("U.S.", "PLACE")]
    spelled = {"U.S.": "PLACE"}
    found = inner_names(text, tokenize(text), tagged, lambda m: spelled.get(m.replace("U.S.", "US")))
    assert found == []


def test_an_inner_name_is_proposed_only_where_no_span_crosses_it() -> None:
    text = "The University of Southern Indiana opened. Southern Indiana is flat."
    outer = (*_at(text, "University of Southern Indiana"), "ACTOR")
    place = (*_at(text, "Southern Indiana", 1), "PLACE")
    southern = (*_at(text, "Southern"), "PLACE")  # the annotator's own span across it
    assert _found(text, inner_names(text, tokenize(text), [outer, place])) == [("Southern Indiana", "PLACE")]
    assert inner_names(text, tokenize(text), [outer, place, southern]) == []


def test_nests_in_says_inside_every_span_it_overlaps_and_the_extent_of_none() -> None:
    nests = nests_in([(0, 30), (4, 20), (40, 50)])
    assert nests(5, 10) and nests(0, 3) and nests(41, 49) and nests(4, 19)
    assert not nests(4, 20)  # a span's own extent
    assert not nests(25, 35)  # crosses the end of one
    assert not nests(2, 10)  # crosses the start of the inner one
    assert not nests(31, 39)  # in no span
    assert not nests_in([])(0, 1)


def test_the_own_label_rule_reads_the_innermost_span_around_the_name() -> None:
    text = "The U.S. said so. The National Museum of the U.S. Air Force opened."
    tagged = [
        (*_at(text, "U.S."), "PLACE"),
        (*_at(text, "National Museum of the U.S. Air Force"), "PLACE"),
        (*_at(text, "U.S. Air Force"), "ACTOR"),
    ]
    found = inner_names(text, tokenize(text), tagged)
    assert [(h.start, h.end, h.label) for h in found] == [(*_at(text, "U.S.", 1), "PLACE")]


def test_a_tagged_phrases_head_noun_is_proposed_again_from_the_start_of_its_phrase() -> None:
    text = "The first shuttle launch was in 1981. The last launch was in 2011. A launch of note."
    tagged = [(*_at(text, "first shuttle launch"), "EVENT")]
    found = _found(text, memory_proposals(text, tokenize(text), tagged))
    assert found == [("last launch", "EVENT"), ("launch", "EVENT")]


def test_the_exact_memory_comes_before_a_head_noun() -> None:
    text = "The final mission flew. The mission ended. Another final mission."
    tagged = [(*_at(text, "final mission"), "EVENT"), (*_at(text, "mission", 1), "EVENT")]
    found = _found(text, memory_proposals(text, tokenize(text), tagged))
    assert found == [("final mission", "EVENT")]  # the last one: as tagged, not from its head
