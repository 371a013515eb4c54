"""The proposal model on small fixed data: features, tags, deterministic training and prediction,
confidences, held-out scores and the default training layers."""

from __future__ import annotations

import zlib

import pytest

from annotator.tagger import Example, Hint, Tagger, evaluate, split_held_out, train, training_layers
from annotator.tagger.crf import score_spans
from annotator.tagger.features import bio_tags, shape, short_shape, spans_of, token_features
from annotator.text import tokenize

SENTENCES = [
    ("Armenia says Azerbaijan shelled Stepanakert during the war.", [(0, 7, "ACTOR"), (13, 23, "ACTOR"),
     (32, 43, "PLACE"), (55, 58, "EVENT")]),
    ("Reporters in Baku saw the attack on Martuni.", [(13, 17, "PLACE"), (26, 32, "EVENT"),
     (36, 43, "PLACE")]),
    ("Turkey says the ceasefire in Shusha holds.", [(0, 6, "ACTOR"), (16, 25, "EVENT"),
     (29, 35, "PLACE")]),
    ("Officials in Yerevan said Russia brokered the truce.", [(13, 20, "PLACE"), (26, 32, "ACTOR"),
     (46, 51, "EVENT")]),
]  # fmt: skip


def fixed_examples(copies: int = 5) -> list[Example]:
    return [
        Example(f"d{i}-{j}", text, spans) for j in range(copies) for i, (text, spans) in enumerate(SENTENCES)
    ]


def test_the_fixed_spans_are_the_words_they_name() -> None:
    texts = {SENTENCES[0][0][s:e] for s, e, _ in SENTENCES[0][1]}
    assert texts == {"Armenia", "Azerbaijan", "Stepanakert", "war"}


def test_shapes() -> None:
    assert (shape("Paris"), short_shape("Paris")) == ("Xxx", "Xx")
    assert (shape("U.S."), short_shape("2020")) == ("X.X.", "d")


def test_bio_tags_keep_the_longest_of_overlapping_spans_and_read_back() -> None:
    text = "the United States Navy said"
    tokens = tokenize(text)
    tags = bio_tags(tokens, [(4, 17, "PLACE"), (4, 22, "ACTOR")])
    assert tags == ["O", "B-ACTOR", "I-ACTOR", "I-ACTOR", "O"]
    assert spans_of(tags) == [(1, 4, "ACTOR")]
    assert spans_of(["I-PLACE", "B-ACTOR", "B-ACTOR", "I-EVENT"]) == [
        (0, 1, "PLACE"), (1, 2, "ACTOR"), (2, 3, "ACTOR"), (3, 4, "EVENT")]  # fmt: skip


def test_hints_become_features_of_their_tokens_and_neighbours() -> None:
    text = "Troops left Baku today"
    features = token_features(text, tokenize(text), [Hint(12, 16, "PLACE", "kb")])
    assert "kb=B-PLACE" in features[2]
    assert "+1kb=B-PLACE" in features[1]
    assert not any(f.startswith("kb") for f in features[1])


def test_training_is_deterministic_and_predicts_what_it_learned() -> None:
    first, second = train(fixed_examples()), train(fixed_examples())
    assert first.data == second.data
    assert first.labels == ("ACTOR", "EVENT", "PLACE")
    assert first.documents == 20
    text, spans = SENTENCES[1]
    found = Tagger(first.data).predict(text)
    assert found == Tagger(second.data).predict(text)
    assert {(p.start, p.end, p.label) for p in found} == set(spans)
    assert all(0.5 < p.confidence <= 1.0 for p in found)


def test_a_new_sentence_gets_context_proposals_with_lower_confidence() -> None:
    tagger = Tagger(train(fixed_examples()).data)
    text = "Georgia says Armenia shelled Martuni during the war."
    found = {(text[p.start : p.end], p.label): p.confidence for p in tagger.predict(text)}
    assert found.get(("Armenia", "ACTOR"), 0) > 0.5
    assert ("war", "EVENT") in found
    assert all(c <= 1.0 for c in found.values())


def test_scores_are_exact_and_label_aware() -> None:
    gold = [[(0, 5, "PLACE"), (10, 15, "ACTOR")]]
    scores = score_spans(gold, [[(0, 5, "PLACE"), (10, 15, "PLACE"), (20, 25, "EVENT")]])
    assert (scores.overall.precision, scores.overall.recall) == (1 / 3, 1 / 2)
    assert scores.labels["PLACE"].precision == 0.5
    assert scores.labels["ACTOR"].recall == 0.0
    assert scores.to_json()["labels"]["PLACE"]["gold"] == 1


def test_threshold_leaves_out_proposals_below_it() -> None:
    model = Tagger(train(fixed_examples()).data)
    held = [Example("x", "Georgia says Armenia shelled Martuni during the war.", [(13, 20, "ACTOR")])]
    assert evaluate(model, held, threshold=1.01).overall.predicted == 0
    assert evaluate(model, held, threshold=0.0).overall.predicted >= 1


def test_held_out_documents_are_the_same_every_time() -> None:
    keys = [f"doc{i}" for i in range(10)]
    train_at, held = split_held_out(keys)
    assert len(held) == 2 and sorted(train_at + held) == list(range(10))
    assert split_held_out(list(reversed(keys)))[1] == sorted(9 - i for i in held)
    assert split_held_out(["only"]) == ([0], [])


def test_a_user_learns_from_their_own_layer_and_gold_only() -> None:
    assert training_layers("bob") == ["gold", "bob"]
    assert training_layers("gold") == ["gold"]


def test_the_starter_model_ships_with_its_attribution_and_proposes_actors_and_events() -> None:
    from importlib import resources

    from annotator.tagger.starter import starter_bytes, starter_meta

    data = resources.files("annotator.tagger").joinpath("data")
    attribution = data.joinpath("ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "GUM" in attribution and "CC BY 4.0" in attribution and "CC BY-SA 3.0" in attribution
    meta = starter_meta()
    assert meta["documents"] == 22 and all(d["license"] for d in meta["trained_on"])
    assert len(starter_bytes()) + len(starter_bytes(with_kb=False)) < 20 * 1024 * 1024
    text = "President Donald Trump met Angela Merkel in Berlin at the G20 summit."
    plain = Tagger(starter_bytes(with_kb=False))  # for a project without a KB: no hints
    assert plain.labels == ("ACTOR", "EVENT", "PLACE")
    found = {(text[p.start : p.end], p.label) for p in plain.predict(text)}
    assert {("Donald Trump", "ACTOR"), ("Angela Merkel", "ACTOR"), ("Berlin", "PLACE")} <= found
    with_kb = Tagger(starter_bytes())  # the gazetteer proposes Berlin
    found = {(text[p.start : p.end], p.label) for p in with_kb.predict(text, [Hint(43, 49, "PLACE", "kb")])}
    assert {("Donald Trump", "ACTOR"), ("Berlin", "PLACE")} <= found


def test_a_model_proposal_links_to_the_kb_entry_in_a_country_the_document_mentions() -> None:
    from annotator.kb import FuzzyIndex, KnowledgeBase, Learned
    from annotator.suggest import LINK_MIN_SCORE, kb_link

    rows = [
        ("geonames:1", "Martuni", "PLACE", [], "Armenia, population 11,000", 11_000.0),
        ("geonames:2", "Martuni", "PLACE", [], "Azerbaijan, population 5,000", 5_000.0),
        ("geonames:3", "Martakert", "PLACE", [], "Azerbaijan, population 4,000", 4_000.0),
    ]
    kb = KnowledgeBase(FuzzyIndex.build(rows), Learned())
    assert kb_link(kb, "Martuni", "PLACE").kb_id == "geonames:1"  # the better known, with no country said
    linked = kb_link(kb, "Martuni", "PLACE", {"Azerbaijan"})
    assert (linked.kb_id, linked.name, linked.text) == ("geonames:2", "Martuni", "Martuni")
    assert linked.score >= LINK_MIN_SCORE
    unlinked = kb_link(kb, "Martuzzi", "PLACE", {"Azerbaijan"})  # close, but below the shown score
    assert (unlinked.kb_id, unlinked.score) == (None, 0.0)


def test_proposals_with_a_model_say_their_source_confidence_and_the_other_sources() -> None:
    from annotator.kb import FuzzyIndex, KnowledgeBase, Learned
    from annotator.suggest import propose_all

    rows = [("geonames:9", "Stepanakert", "PLACE", [], "Azerbaijan, population 55,000", 55_000.0)]
    kb = KnowledgeBase(FuzzyIndex.build(rows), Learned([("Armenia", "ACTOR", None, 3)]))
    hints = [Hint(32, 43, "PLACE", "kb"), Hint(0, 7, "ACTOR", "learned")]
    data = train(
        [
            Example(e.key, e.text, e.spans, [h for h in hints if e.text.startswith("Armenia")])
            for e in fixed_examples()
        ]
    ).data
    text = SENTENCES[0][0]
    found = {c.text: c for c in propose_all(text, kb, Tagger(data), 0.5)}
    assert found["Stepanakert"].source == "model" and found["Stepanakert"].also == ("kb",)
    assert found["Stepanakert"].kb_id == "geonames:9"  # the KB proposal's link
    assert found["Armenia"].also == ("learned",) and found["Armenia"].kb_id is None
    assert all(0.5 <= c.confidence <= 1 for c in found.values())
    assert found["Stepanakert"].because.startswith("model 0.") or found["Stepanakert"].because.startswith(
        "model 1"
    )
    assert propose_all(text, kb, Tagger(data), 1.01) == []


def test_a_stored_model_of_another_format_is_not_used() -> None:
    from annotator.model import StoredModel
    from annotator.tagger.crf import KIND
    from annotator.tagger.starter import starter_bytes
    from annotator.training import current_model

    data = train(fixed_examples(1)).data
    mine = StoredModel("alice", KIND, data, "d", ("gold", "alice"), 4, 40, None, None, 1.0)
    assert current_model(mine) == (data, "model of alice, 4 documents")
    older = StoredModel("alice", "crfsuite-0", data, "d", ("gold", "alice"), 4, 40, None, None, 1.0)
    assert current_model(older)[0] == starter_bytes()
    assert current_model(None, with_kb=False)[0] == starter_bytes(with_kb=False)


def test_a_tagger_builds_only_the_features_its_model_weighs_and_predicts_the_same() -> None:
    import pycrfsuite

    from annotator.tagger.features import Known
    from annotator.tagger.starter import starter_bytes

    tagger = Tagger(starter_bytes(with_kb=True))
    text = (
        "Armenia says Azerbaijan shelled Stepanakert during the war.\n"
        "Reporters in Baku saw the attack on Martuni; a quokka|wallaby and the ||| sign were new words."
    )
    tokens = tokenize(text)
    hints = [Hint(13, 23, "PLACE", "kb"), Hint(73, 80, "ACTOR", "learned")]
    every = token_features(text, tokens, hints)
    known = tagger._known
    some = token_features(text, tokens, hints, known)
    assert all(set(kept) <= set(full) for kept, full in zip(some, every, strict=True))
    assert sum(map(len, some)) < sum(map(len, every))
    # What is left out is what the model holds no weight for, nothing else.
    assert {f for kept, full in zip(some, every, strict=True) for f in set(full) - set(kept)}.isdisjoint(
        known.attributes
    )
    # The same tags as crfsuite given every feature, and the same confidences (to rounding: the tagger
    # scores with numpy, in another order of sums).
    raw = zlib.decompress(starter_bytes(with_kb=True))
    plain = pycrfsuite.Tagger()
    plain.open_inmemory(raw)
    plain.set(every)
    tags = plain.tag()
    expected = []
    for first, last, label in spans_of(tags):
        confidence = min(plain.marginal(tags[i], i) for i in range(first, last))
        expected.append((tokens[first][0], tokens[last - 1][1], label, confidence))
    assert expected
    found = tagger.predict(text, hints)
    assert [(p.start, p.end, p.label) for p in found] == [e[:3] for e in expected]
    assert [p.confidence for p in found] == pytest.approx([e[3] for e in expected], abs=1e-9)
    assert Known(["-1w|w=||x", "w|+1w=a|b"]).left_pairs == {("|", "x"): "-1w|w=||x"}


def test_word_shapes_outside_ascii() -> None:
    assert (shape("Ünïcode"), short_shape("Ünïcode")) == ("Xxx", "Xx")
    assert (shape("١٢٣"), short_shape("ǅx")) == ("dd", "ǅx")


def test_words_carry_their_wordnet_noun_senses_singular_or_plural() -> None:
    text = "The truce ended the attacks on Stepanakert xqzt."
    features = token_features(text, tokenize(text))
    assert "ss=state" in features[1] and "ss3=state" in features[1]  # truce
    assert "ss=act" in features[4]  # attacks, as attack
    assert "+1ss=act" in features[3] and "-1ss=act" in features[5]
    assert not any(f.startswith("ss") for f in features[7])  # no noun of that spelling


def test_words_carry_the_wordnet_classes_above_their_senses() -> None:
    text = "The wars in Armenia xqzt."
    features = token_features(text, tokenize(text))
    assert {"hyp=military_action", "hyp=group_action"} <= set(features[1])  # wars, as war
    assert {"hyp=asian_country", "hyp=country"} <= set(features[3])  # a name: what it is an instance of
    assert "hyp=entity" not in features[1] and "hyp=abstraction" not in features[1]  # too general
    assert not any("hyp=" in f for f in features[4])  # no noun of that spelling, no neighbour's classes


def test_a_capitalised_word_that_is_part_of_a_longer_name_elsewhere_says_so() -> None:
    text = "Ahmed Mohamed built a clock.\nMohamed was arrested. Paris agreed."
    features = token_features(text, tokenize(text))
    words = [text[s:e] for s, e in tokenize(text)]
    mohamed = words.index("Mohamed", 2)
    assert "name_tail_elsewhere" in features[mohamed]
    assert "name_head_elsewhere" in features[words.index("Ahmed")]
    assert not any(f.startswith("name_") for f in features[words.index("Paris")])
    # A line break between two capitalised words does not make a name.
    assert "name_head_elsewhere" not in features[words.index("clock") + 1]


def test_the_memory_finds_the_other_occurrences_of_what_was_tagged_in_the_document() -> None:
    from annotator.tagger.features import MEMORY, memory_hints

    text = "in Armenia today. Armenia says the Armenia Fund and Armenia agree"
    tokens = tokenize(text)
    tagged = [(18, 25, "ACTOR")]  # the second Armenia
    everywhere = [
        (text[h.start : h.end], h.start, h.label, h.source) for h in memory_hints(text, tokens, tagged)
    ]
    assert everywhere == [("Armenia", 3, "ACTOR", MEMORY), ("Armenia", 35, "ACTOR", MEMORY),
                          ("Armenia", 52, "ACTOR", MEMORY)]  # fmt: skip
    # As an annotator reading in order has it: only after the tagging, the tagged span itself included.
    causal = [h.start for h in memory_hints(text, tokens, [(3, 10, "PLACE"), (18, 25, "ACTOR")], causal=True)]
    assert causal == [18, 35, 52]
    labels = [h.label for h in memory_hints(text, tokens, [(3, 10, "PLACE"), (18, 25, "ACTOR")], causal=True)]
    assert labels == ["PLACE", "ACTOR", "ACTOR"]  # the label last tagged before each
    two_words = memory_hints(text, tokens, [(35, 47, "ACTOR")])
    assert [(h.start, h.end) for h in two_words] == []  # "Armenia Fund" occurs once


def test_what_was_tagged_in_the_document_is_proposed_again_with_its_label_in_place_of_the_models() -> None:
    from annotator.kb import KnowledgeBase, Learned
    from annotator.model import Span
    from annotator.suggest import candidates, propose_all

    tagger = Tagger(train(fixed_examples()).data)
    text = "Turkey says Baku is calm. Officials in Turkey said Baku saw the war."
    before = {
        (c.start, c.text): c.label for c in propose_all(text, KnowledgeBase(None, Learned()), tagger, 0.5)
    }
    assert before.get((26 + 13, "Turkey")) != "EVENT"
    tagged = [(0, 6, "EVENT"), (12, 16, "ACTOR")]  # a guideline the model never saw
    kb = KnowledgeBase(None, Learned())
    after = {(c.start, c.text): c for c in propose_all(text, kb, tagger, 0.5, tagged)}
    assert after[39, "Turkey"].label == "EVENT" and after[51, "Baku"].label == "ACTOR"
    assert after[39, "Turkey"].source == "learned" and after[39, "Turkey"].confidence == 1.0
    # candidates (annotator suggest) gives the annotator's spans in the document to the memory
    spans = [Span(s, e, label, None, "hand") for s, e, label in tagged]
    found = {(c.start, c.label) for c in candidates(text, kb, spans, set(), tagger, 0.5)}
    assert {(39, "EVENT"), (51, "ACTOR")} <= found
    assert not any(start < 16 for start, _ in found)  # nothing proposed over what is tagged


def test_the_rules_cut_titles_give_a_names_last_word_its_label_and_spread_what_was_tagged() -> None:
    from annotator.tagger.rules import Tagged, refine

    text = "US President Barack Obama met Obama and Paris, Valeska Paris said. Paris"
    words = [text[s:e] for s, e in tokenize(text)]
    assert words[1::4] == ["President", "Obama", "Valeska", "Paris"] and len(words) == 14
    spans = [Tagged(0, 4, "PLACE", 0.6), Tagged(7, 8, "PLACE", 0.7), Tagged(9, 11, "ACTOR", 0.9)]
    found = refine(words, spans, places={(0, 1)})
    assert found == [
        Tagged(0, 1, "PLACE", 0.6),  # the gazetteer's place before the title
        Tagged(2, 4, "ACTOR", 0.6),  # the name without its title
        Tagged(5, 6, "ACTOR", 0.6),  # Obama alone: the name's last word
        Tagged(7, 8, "ACTOR", 0.9),  # Paris alone after Valeska Paris: the actor, not the place
        Tagged(9, 11, "ACTOR", 0.9),
        Tagged(13, 14, "ACTOR", 0.9),
    ]
    # Spread: the words tagged once, at their other occurrences, unless part of a longer name there.
    text = "the war began. the war ended, War Office"
    words = [text[s:e] for s, e in tokenize(text)]
    found = refine(words, [Tagged(1, 2, "EVENT", 0.7)])
    assert found == [Tagged(1, 2, "EVENT", 0.7), Tagged(5, 6, "EVENT", 0.7)]


def test_a_text_asked_again_gives_the_same_and_another_text_is_predicted_anew() -> None:
    tagger = Tagger(train(fixed_examples()).data)
    text = "Georgia says Armenia shelled Martuni during the war."
    first = tagger.predict(text)
    assert tagger.predict(text) == first
    other = "Reporters in Baku saw the attack on Martuni."
    assert {(p.start, p.end, p.label) for p in tagger.predict(other)} == set(SENTENCES[1][1])
    assert tagger.predict(text) == first


def test_a_name_ending_on_an_initial_takes_the_initials_and_a_bare_title_is_no_name() -> None:
    from annotator.tagger.rules import Tagged, refine

    text = "Washington D.C. and the Afghan Ambassador met President Obama."
    words = [text[s:e] for s, e in tokenize(text)]
    assert words[:5] == ["Washington", "D", ".", "C", "."]
    spans = [Tagged(0, 2, "PLACE", 0.8), Tagged(7, 9, "ACTOR", 0.7), Tagged(10, 12, "ACTOR", 0.9)]
    assert refine(words, spans) == [Tagged(0, 5, "PLACE", 0.8), Tagged(11, 12, "ACTOR", 0.9)]


def spans_of_token_by_token(tags: list[str]) -> list[tuple[int, int, str]]:
    """``spans_of`` as it was written first: every tag looked at."""
    found: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag.startswith("I-") and tag[2:] == label and start >= 0:
            continue
        if start >= 0:
            found.append((start, i, label))
            start, label = -1, ""
        if tag != "O":
            start, label = i, tag[2:]
    return found


def test_spans_of_reads_any_tag_sequence_as_conlleval() -> None:
    import random

    rng = random.Random(3)
    choices = ["O", "O", "O", "B-ACTOR", "I-ACTOR", "B-PLACE", "I-PLACE", "I-EVENT"]
    for n in range(60):
        for _ in range(40):
            tags = rng.choices(choices, k=n)
            assert spans_of(tags) == spans_of_token_by_token(tags), tags
