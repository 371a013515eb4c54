"""The proposal model: a linear-chain CRF (python-crfsuite) that tags ACTOR, PLACE and EVENT spans from
context, with the gazetteer's and the learned strings' proposals as features, not as the only source.

Pure: plain data in, plain data out; no store, no textual. The store keeps a model's bytes
(``store.models``); the caller reads documents and hints, calls these, and saves what they return.

- :mod:`annotator.tagger.features`: tokens, BIO tags and the features of each token;
- :mod:`annotator.tagger.crf`: :func:`train` (examples → :class:`TrainedModel`), :class:`Tagger`
  (bytes → predictions with a confidence), :func:`evaluate` (held-out precision, recall, F1 per label);
- :mod:`annotator.tagger.rules`: what a document's spans say beyond a tag sequence (titles cut from
  names, a name's last word alone is that actor, what was tagged once is tagged at its other places);
- :mod:`annotator.tagger.starter`: the model shipped in the package, built from the GUM dev corpus.

The in-document label memory (what the annotator tagged in *this* document, proposed again at its other
places): :func:`annotator.tagger.features.memory_hints`, applied by :func:`annotator.suggest.propose_all`.

Which layers a user's model learns from: :func:`annotator.tagger.crf.training_layers`.
"""

from __future__ import annotations

from annotator.tagger.crf import (
    Example,
    Prediction,
    Scores,
    Tagger,
    TrainedModel,
    evaluate,
    split_held_out,
    train,
    training_layers,
)
from annotator.tagger.features import Hint

__all__ = [
    "Example",
    "Hint",
    "Prediction",
    "Scores",
    "Tagger",
    "TrainedModel",
    "evaluate",
    "split_held_out",
    "train",
    "training_layers",
]
