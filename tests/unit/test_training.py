"""Training a team's model with the starter's documents as another domain, on small fixed data."""

from __future__ import annotations

from annotator.tagger import Example, Tagger, train
from annotator.tagger.crf import _sequences
from annotator.text import tokenize
from annotator.training import CORPUS_DOMAIN, TRAINING_TOKENS, TrainingDocument, starter_corpus, with_corpus

TEAM = [Example("t", "Armenia says the talks failed.", [(0, 7, "ACTOR")])]
CORPUS = [
    TrainingDocument("g1", "Troops left Armenia after the war.", [(12, 19, "PLACE"), (30, 33, "EVENT")]),
    TrainingDocument("t", "Armenia says the talks failed.", [(0, 7, "ACTOR")]),
    TrainingDocument("g2", "The summit in Yerevan ended.", [(4, 10, "EVENT"), (14, 21, "PLACE")]),
]


def test_the_corpus_documents_come_as_another_domain_and_the_team_s_once() -> None:
    found = with_corpus(TEAM, CORPUS, None)
    assert [(e.key, e.domain) for e in found] == [("t", ""), ("g1", CORPUS_DOMAIN), ("g2", CORPUS_DOMAIN)]
    _, features = _sequences(found[1], {})
    war = features[5]
    assert "w=war" in war and f"{CORPUS_DOMAIN}:w=war" in war and f"{CORPUS_DOMAIN}:bias" not in war
    _, team_features = _sequences(found[0], {})
    assert not any(f.startswith(CORPUS_DOMAIN + ":") for token in team_features for f in token)


def test_the_corpus_fills_what_the_team_leaves_of_the_token_budget() -> None:
    big = Example("big", "word " * (TRAINING_TOKENS - 20), [])
    assert len(tokenize(big.text)) == TRAINING_TOKENS - 20
    chosen = [e.key for e in with_corpus([big], CORPUS, None)]
    assert chosen == ["big", "g1"]  # g1 has 7 tokens (14 with its copies), g2 then does not fit
    huge = Example("huge", "word " * TRAINING_TOKENS, [])
    assert [e.key for e in with_corpus([huge], CORPUS, None)] == ["huge"]


def test_a_model_trained_with_the_corpus_counts_the_team_s_documents_and_learns_from_both() -> None:
    corpus = [TrainingDocument(f"{d.key}-{i}", d.text, d.spans) for i in range(4) for d in CORPUS]
    model = train(with_corpus(TEAM * 3, corpus, None))
    assert (model.documents, model.tokens) == (3, 18)
    tagger = Tagger(model.data)
    assert f"{CORPUS_DOMAIN}:w=yerevan" in tagger._known.attributes
    text = "The summit in Yerevan ended. Armenia says the talks failed."
    found = {(text[p.start : p.end], p.label) for p in tagger.predict(text)}
    assert ("Armenia", "ACTOR") in found and ("Yerevan", "PLACE") in found


def test_the_starter_s_documents_ship_with_the_package() -> None:
    from annotator.tagger.starter import starter_meta

    documents = starter_corpus()
    assert [d.key for d in documents] == [d["id"] for d in starter_meta()["trained_on"]]
    assert all(d.text[s:e] for d in documents for s, e, _ in d.spans)


def test_a_held_out_document_is_not_trained_on_through_the_corpus(monkeypatch) -> None:
    import annotator.training as training

    trained_on: list[list[str]] = []
    real_train = training.train

    def spy(found: list[Example]) -> object:
        trained_on.append([e.key for e in found])
        return real_train(found)

    monkeypatch.setattr(training, "train", spy)
    documents = [TrainingDocument(d.key, d.text, d.spans) for d in CORPUS]
    result = training.train_model(documents, None, corpus=CORPUS)
    (held,) = result.held_out
    assert held not in trained_on[0] and sorted(trained_on[1]) == sorted(d.key for d in CORPUS)
