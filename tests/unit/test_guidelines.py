"""Each label's one line from the guidelines file: under a heading that is its name, or on a line that
starts with its name and a colon or a dash."""

from __future__ import annotations

from annotator.guidelines import label_descriptions

GUIDE = """# Guidelines for the seed articles

Read every sentence through; ACTOR is the one that acts.

## `Actor`
A person, group, organisation or *state* that acts or speaks (`Armenia says`).

A second paragraph, not the one line.

## Places and events

- **PLACE**: a named geographic entity, whatever its role in the sentence.
- EVENT — a named occurrence: a ceasefire, a conference, a war.
- PLACE: said twice, the first counts.
"""


def test_a_heading_or_a_line_starting_with_the_name_gives_the_one_line() -> None:
    assert label_descriptions(GUIDE, ["ACTOR", "PLACE", "EVENT", "MISC"]) == {
        "ACTOR": "A person, group, organisation or state that acts or speaks (Armenia says).",
        "PLACE": "a named geographic entity, whatever its role in the sentence.",
        "EVENT": "a named occurrence: a ceasefire, a conference, a war.",
    }


def test_a_name_inside_a_sentence_or_a_longer_word_is_no_description() -> None:
    text = "ACTORS: not this.\nThe ACTOR: not this either.\nPLACEHOLDER - nor this.\n# EVENT\n\n# other\n"
    assert label_descriptions(text, ["ACTOR", "PLACE", "EVENT"]) == {}
