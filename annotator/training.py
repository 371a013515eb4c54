"""Training a user's model on their finished documents, and deciding whether it replaces the current one.

Plain data in and out (no store): the caller reads the finished documents of the layers the user may
learn from (:func:`annotator.tagger.training_layers`), the knowledge base, and the current model, calls
:func:`train_model`, and saves the result when :attr:`TrainingResult.replaces` says so::

    documents = [TrainingDocument(key, text, spans) for ...]       # spans: (start, end, label)
    result = train_model(documents, kb.index, current)            # current: the stored or starter model
    if result.replaces: store.models.save(...)

The learned-strings hints of a training document come from the *other* training documents only (as they
would when it was annotated), so the model does not learn to copy a feature that is always right in
training and rarely at work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.kb import FuzzyIndex, KnowledgeBase, Learned
from annotator.suggest import hints
from annotator.tagger import Example, Scores, Tagger, TrainedModel, evaluate, split_held_out, train


@dataclass(frozen=True)
class TrainingDocument:
    key: str
    text: str
    spans: Sequence[tuple[int, int, str]]


@dataclass(frozen=True)
class TrainingResult:
    model: TrainedModel
    """Trained on every document given."""
    scores: Scores | None
    """A model trained on all but the held-out documents, scored on them (None with one document)."""
    current_scores: Scores | None
    """The current model on the same held-out documents (None without a current model)."""
    held_out: tuple[str, ...]

    @property
    def replaces(self) -> bool:
        """Whether the new model should become the user's: it beats the current one on the held-out
        documents (all-label F1), or there is no current model to beat."""
        if self.current_scores is None:
            return True
        if self.scores is None:
            return False
        return self.scores.overall.f1 > self.current_scores.overall.f1


def examples(
    documents: Sequence[TrainingDocument], index: FuzzyIndex | None, learned_from: Sequence[TrainingDocument]
) -> list[Example]:
    """Each document with the gazetteer's hints and the learned strings of ``learned_from`` other than
    itself."""
    out: list[Example] = []
    for document in documents:
        learned = Learned(
            (other.text[s:e], label, None, 1)
            for other in learned_from
            if other.key != document.key
            for s, e, label in other.spans
        )
        kb = KnowledgeBase(index, learned)
        out.append(Example(document.key, document.text, document.spans, hints(document.text, kb)))
    return out


def train_model(
    documents: Sequence[TrainingDocument], index: FuzzyIndex | None, current: Tagger | None = None
) -> TrainingResult:
    """Train on ``documents``; hold some out to score the new model and ``current`` side by side."""
    if not documents:
        raise ValueError("no finished documents to train on")
    train_at, held_at = split_held_out([d.key for d in documents])
    scores = current_scores = None
    if held_at:
        training = [documents[i] for i in train_at]
        held = [documents[i] for i in held_at]
        held_examples = examples(held, index, training)
        partial = train(examples(training, index, training))
        scores = evaluate(Tagger(partial.data), held_examples)
        if current is not None:
            current_scores = evaluate(current, held_examples)
    model = train(examples(documents, index, documents))
    return TrainingResult(model, scores, current_scores, tuple(documents[i].key for i in held_at))
