"""What the rules over a document's spans and the in-document memory make of context, on small fixed
data: a region's name is no person's, a country after a locative preposition is where, not who."""

from __future__ import annotations

from annotator.tagger.rules import Tagged, refine
from annotator.text import tokenize


def words_of(text: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text)]


def test_a_region_tagged_actor_does_not_make_its_last_word_an_actor_elsewhere() -> None:
    text = "South Australia said so. Australia agreed, as Valeska Paris did in Paris."
    words = words_of(text)
    assert words[5] == "Australia" and words[13] == "Paris"
    spans = [Tagged(0, 2, "ACTOR", 0.7), Tagged(5, 6, "PLACE", 0.8), Tagged(9, 11, "ACTOR", 0.9)]
    found = refine(words, spans)
    assert Tagged(5, 6, "PLACE", 0.8) in found  # not turned into the actor "South Australia"
    assert Tagged(13, 14, "ACTOR", 0.9) in found  # a person's last word alone still is that person
    # A gazetteer place as a whole gives no name part either.
    text = "Officials of Cape Verde met. Verde voted."
    words = words_of(text)
    found = refine(words, [Tagged(2, 4, "ACTOR", 0.7)], places={(2, 4)})
    assert all(span.first != 6 for span in found)


def test_the_memory_leaves_a_country_after_a_locative_preposition_to_the_model() -> None:
    from annotator.memory import locative, memory_proposals

    text = "Armenia says no. Troops stayed in Armenia. Armenia and Turkey met at Armenia's border."
    tokens = tokenize(text)
    later = [i for i in range(1, len(text)) if text.startswith("Armenia", i)]
    assert [locative(text, tokens, at) for at in later] == [True, False, True]
    found = {(h.start, h.label) for h in memory_proposals(text, tokens, [(0, 7, "ACTOR")])}
    assert found == {(later[1], "ACTOR")}
    # A place tagged is remembered everywhere: where it is is no guideline's question.
    found = {(h.start, h.label) for h in memory_proposals(text, tokens, [(0, 7, "PLACE")])}
    assert found == {(at, "PLACE") for at in later}


def test_propose_all_keeps_the_models_reading_where_the_memory_gives_way() -> None:
    from annotator.kb import KnowledgeBase, Learned
    from annotator.suggest import propose_all
    from annotator.tagger import Tagger
    from annotator.tagger.starter import starter_bytes

    text = "Armenia says the talks failed. Fighting went on in Armenia. Armenia rejected the plan."
    later = [i for i in range(1, len(text)) if text.startswith("Armenia", i)]
    tagger = Tagger(starter_bytes(with_kb=False))
    kb = KnowledgeBase(None, Learned())
    model = {c.start: (c.label, c.source) for c in propose_all(text, kb, tagger, 0.5)}
    found = {c.start: (c.label, c.source) for c in propose_all(text, kb, tagger, 0.5, [(0, 7, "ACTOR")])}
    assert found[later[1]] == ("ACTOR", "learned")
    assert found.get(later[0]) == model.get(later[0])  # in Armenia: what the model says, untouched


def test_the_gazetteer_finds_a_dotted_initialism_as_the_kb_spells_it_without_dots() -> None:
    from annotator.kb import FuzzyIndex, KnowledgeBase, Learned
    from annotator.suggest import propose

    rows = [
        ("geonames:6252001", "United States", "PLACE", ["US", "USA"], "country", 327_000_000.0),
        ("geonames:2635167", "United Kingdom", "PLACE", ["UK"], "country", 66_000_000.0),
        ("geonames:9", "Us", "PLACE", [], "France, population 1,248", 1_248.0),
    ]
    kb = KnowledgeBase(FuzzyIndex.build(rows), Learned())
    text = "The U.S. and the U.K. met; U.S. President Obama spoke. MU.S.E and U.S.-backed U.N. us"
    found = [(c.text, c.kb_id) for c in propose(text, kb)]
    assert found == [("U.S.", "geonames:6252001"), ("U.K.", "geonames:2635167"), ("U.S.", "geonames:6252001"),
                     ("U.S.", "geonames:6252001")]  # fmt: skip


def test_a_gazetteer_match_one_edit_away_is_a_hint_of_its_own_beside_the_exact_one() -> None:
    from annotator.kb import FuzzyIndex, KnowledgeBase, Learned
    from annotator.suggest import FUZZY, hints

    rows = [
        ("geonames:1", "Martuni", "PLACE", [], "Armenia, population 11,000", 11_000.0),
        ("geonames:2", "Askeran", "PLACE", [], "Azerbaijan, population 2,000", 2_000.0),
    ]
    kb = KnowledgeBase(FuzzyIndex.build(rows), Learned())
    text = "Shells hit Martuni and Askaran overnight."
    found = sorted((text[h.start : h.end], h.source) for h in hints(text, kb))
    assert found == [("Askaran", "kb"), ("Askaran", FUZZY), ("Martuni", "kb")]


def test_a_demonym_before_a_noun_for_people_is_no_name_but_a_place_or_an_actor_acting_is() -> None:
    text = "The Afghan team won. Armenian officials met. The Michigan team lost. Iran says no. Afghan won."
    words = words_of(text)
    at = {w: i for i, w in reversed(list(enumerate(words)))}
    spans = [Tagged(at[w], at[w] + 1, "ACTOR", 0.8) for w in ("Afghan", "Armenian", "Iran")]
    spans += [Tagged(at["Michigan"], at["Michigan"] + 1, "PLACE", 0.8)]
    found = {(words[t.first], t.label) for t in refine(words, spans)}
    # Afghan alone (before a verb) is spread from the first, and kept; before "team" it is dropped.
    assert found == {("Michigan", "PLACE"), ("Iran", "ACTOR"), ("Afghan", "ACTOR")}
    assert [t.first for t in refine(words, spans) if words[t.first] == "Afghan"] == [len(words) - 3]
