"""Scoring a text with a trained CRF without passing strings through crfsuite: the same labels and
marginals as crfsuite's tagger (the tests compare them on the dev corpus), from the model's weights
(:mod:`annotator.tagger.weights`) and the features' :class:`~annotator.tagger.features.Layout`.

A token's score for a label (its emission) is the sum of its features' weights for it. Most features come
from the words around it (:data:`~annotator.tagger.features.WINDOW`: the word itself, its shape and
affixes, its neighbours'...), so the scorer sums each word's parts once, the first time it sees the
word, and a text costs one look-up a token, a few numpy gathers and the other features (pairs, sentence
starts, hints) looked up one by one. Nothing here names a feature: what a word gives a token is what the
feature code says it gives, whatever templates it holds.

The best label sequence (Viterbi) and the marginals (forward-backward) are computed over the whole text
as crfsuite does (:mod:`annotator.tagger.decoding`).
"""

from __future__ import annotations

from itertools import repeat
from typing import cast

import numpy as np
import numpy.typing as npt

from annotator.tagger.features import EDGE, FAR, PAD, WINDOW, Known, Layout, _Word
from annotator.tagger.weights import Weights

Array = npt.NDArray[np.float64]
_FAR, _EDGE = 0, 1
"""The rows of the padding words (:data:`~annotator.tagger.features.FAR` and ``EDGE``)."""


class Scorer:
    """A model's weights, and the summed weights of each word's parts seen so far."""

    def __init__(self, weights: Weights) -> None:
        self.labels = weights.labels
        self.transitions = weights.transitions
        n_labels = len(weights.labels)
        self._index = {attribute: i for i, attribute in enumerate(weights.attributes)}
        # One more row, of zeros: what an attribute the model does not hold weighs.
        self._state = np.vstack([weights.state, np.zeros((1, n_labels))])
        self._absent = len(weights.attributes)
        weighed = (weights.state != 0).any(axis=1).tolist()
        self.known = Known(a for a, has in zip(weights.attributes, weighed, strict=True) if has)
        """The attributes with a weight: the features worth building."""
        self._rows: dict[str, int] = {}
        self._parts = np.zeros((1024, len(WINDOW), n_labels))
        """``[row, k]``: the summed weights of the part ``WINDOW[k]`` of the word of ``row``."""
        self._count = 2
        self._add_words([(_FAR, FAR), (_EDGE, EDGE)])

    @property
    def words(self) -> int:
        """How many words' weights are kept."""
        return len(self._rows)

    def forget_words(self) -> None:
        self._rows.clear()
        self._count = 2

    def _add_words(self, rows_and_words: list[tuple[int, _Word]]) -> None:
        rows = [row for row, _ in rows_and_words]
        held, n_parts, n_labels = self._parts.shape
        if max(rows) >= held:
            grown = np.zeros((max(max(rows) + 1, 2 * held), n_parts, n_labels))
            grown[:held] = self._parts
            self._parts = grown
        keys: list[int] = []  # row * parts + k of each feature of the words
        strings: list[str] = []
        parts = [part for _, part in WINDOW]
        for row, word in rows_and_words:
            key = row * n_parts
            held_parts = cast(tuple[tuple[str, ...], ...], word)
            for part in parts:
                features = held_parts[part]
                if features:
                    strings += features
                    keys += [key] * len(features)
                key += 1
        self._parts[rows] = 0.0
        if strings:
            # The features of one word's part are side by side: one sum a run of equal keys.
            found = map(self._index.get, strings, repeat(self._absent))
            attributes = np.fromiter(found, np.intp, len(strings))
            by_key = np.array(keys)
            starts = np.flatnonzero(np.concatenate([[True], by_key[1:] != by_key[:-1]]))
            flat = self._parts.reshape(-1, n_labels)
            flat[by_key[starts]] = np.add.reduceat(self._state[attributes], starts, axis=0)

    def emissions(self, layout: Layout) -> Array:
        """``[token, label]``: the sum of the weights of the token's features for the label."""
        n = len(layout.words)
        get = self._rows.get
        ids = [get(word, -1) for word in layout.words]
        if -1 in ids:
            new: list[tuple[int, _Word]] = []
            for i, row in enumerate(ids):
                if row == -1:
                    word = layout.words[i]
                    row = self._rows.get(word, -1)
                    if row == -1:
                        row = self._rows[word] = self._count
                        self._count += 1
                        new.append((row, layout.info[i]))
                    ids[i] = row
            self._add_words(new)
        far = [_FAR] * (PAD - 1)
        padded = np.array([*far, _EDGE, *ids, _EDGE, *far], dtype=np.intp)
        scores = np.zeros((n, len(self.labels)))
        for k, (offset, _) in enumerate(WINDOW):
            scores += self._parts[padded[PAD + offset : PAD + offset + n], k]
        if layout.extra:
            get = self._index.get
            attributes = np.fromiter(map(get, layout.extra, repeat(self._absent)), np.intp, len(layout.extra))
            np.add.at(scores, np.array(layout.extra_at, dtype=np.intp), self._state[attributes])
        return scores
