"""Scoring a text with a trained CRF without passing strings through crfsuite: the same labels and
marginals as crfsuite's tagger (the tests compare them on the dev corpus), from the model's weights
(:mod:`annotator.tagger.weights`) and the features' :class:`~annotator.tagger.features.Layout`.

A token's score for a label (its emission) is the sum of its features' weights for it. Most features come
from the words around it (:data:`~annotator.tagger.features.WINDOW`: the word itself, its shape and
affixes, its neighbours'...), so the scorer sums each word's parts once, the first time it sees the
word, and a text costs one look-up a distinct word, a few numpy gathers and the other features (pairs,
sentence starts, hints) a group of one template at a time. No feature string is built: a word's features
come as one column of values a template (:func:`~annotator.tagger.features.word_columns`), looked up
among the model's attributes split by template once, when the model is opened. Nothing here names a
feature: what a word gives a token is what the feature code says it gives, whatever templates it holds
(a test compares the emissions with the weights of every string ``token_features`` builds).

The best label sequence (Viterbi) and the marginals (forward-backward) are computed over the whole text
as crfsuite does (:mod:`annotator.tagger.decoding`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import numpy.typing as npt

from annotator.tagger.features import (
    PAD,
    PAIRS,
    SHARED_VALUES,
    WINDOW,
    Column,
    Known,
    Layout,
    Pairs,
    padding_columns,
    split_pair,
    word_columns,
)
from annotator.tagger.weights import Weights

Array = npt.NDArray[np.float64]
_FAR, _EDGE = 0, 1
"""The rows of the padding words (:func:`~annotator.tagger.features.padding_columns`)."""


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
        self._by_prefix: dict[str, dict[str, int]] = {}
        """Each attribute with a weight by its template (up to its first ``=``, or the whole when it has
        none) and its value: ``w=paris`` as ``{"w=": {"paris": row}}``, ``bias`` as
        ``{"bias": {"": row}}``."""
        attributes = weights.attributes
        for i in itertools.compress(range(len(attributes)), weighed):
            head, equals, value = attributes[i].partition("=")
            template = head + equals
            held = self._by_prefix.get(template)
            if held is None:
                held = self._by_prefix[template] = {}
            held[value] = i
        self._pairs = {
            head: {split_pair(words): i for words, i in self._by_prefix.get(head, {}).items()}
            for head in PAIRS
        }
        # The words of the pairs numbered, and each template's pairs as sorted numbers (first * words +
        # second) beside their attributes: a text's pairs are found among them at once.
        self._pair_word = {
            w: i for i, w in enumerate(sorted({w for p in self._pairs.values() for w in itertools.chain(*p)}))
        }
        self._pair_keys: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]] = {}
        for head, pairs in self._pairs.items():
            size = len(self._pair_word)
            keys = np.array(
                [self._pair_word[a] * size + self._pair_word[b] for a, b in pairs], dtype=np.int64
            )
            order = np.argsort(keys, kind="stable")
            self._pair_keys[head] = keys[order], np.array(list(pairs.values()), dtype=np.intp)[order]
        self._weighed = weighed
        self._attributes = weights.attributes
        # A value of a kind of SHARED_VALUES: its row in a table of the attribute of each template.
        self._shared: dict[str, tuple[dict[str, int], npt.NDArray[np.intp]]] = {}
        self._kind = {prefix: kind for kind, prefixes in SHARED_VALUES.items() for prefix in prefixes}
        empty: dict[str, int] = {}
        for kind, prefixes in SHARED_VALUES.items():
            values: dict[str, int] = {}
            for prefix in prefixes:
                for value in self._by_prefix.get(prefix, empty):
                    values.setdefault(value, len(values))
            table = np.full((len(values) + 1, len(prefixes)), self._absent, dtype=np.intp)
            for k, prefix in enumerate(prefixes):
                held = self._by_prefix.get(prefix, empty)
                table[[values[v] for v in held], k] = list(held.values())
            self._shared[kind] = values, table
        self._rows: dict[str, int] = {}
        self._parts = np.zeros((1024, len(WINDOW), n_labels))
        """``[row, k]``: the summed weights of the part ``k`` of the word of ``row`` (:data:`WINDOW`)."""
        self._count = 2
        self._add_words([_FAR, _EDGE], padding_columns())

    @functools.cached_property
    def known(self) -> Known:
        """The attributes with a weight: the features worth building (for crfsuite; the scorer needs
        none of it, so it is made when asked)."""
        attributes = self._attributes
        return Known(
            itertools.compress(attributes, self._weighed),
            {head: {pair: attributes[i] for pair, i in self._pairs[head].items()} for head in PAIRS},
        )

    @property
    def words(self) -> int:
        """How many words' weights are kept."""
        return len(self._rows)

    def forget_words(self) -> None:
        self._rows.clear()
        self._count = 2

    def _pair_weights(
        self, pairs: Pairs, prefixes: Sequence[str]
    ) -> list[tuple[npt.NDArray[np.intp], Array]]:
        """For each template of ``prefixes``, the pairs of ``pairs`` the model weighs (their indices) and
        their weights, found as numbers (:attr:`_pair_keys`), the text's words looked up once."""
        size = len(self._pair_word)
        numbers = np.fromiter(
            map(self._pair_word.get, pairs.distinct_lowers, repeat(-1)), np.int64, len(pairs.distinct_lowers)
        )[pairs.local]
        both = np.flatnonzero((numbers[:-1] >= 0) & (numbers[1:] >= 0))
        keys = numbers[both] * size + numbers[both + 1]
        out = []
        for prefix in prefixes:
            held, attributes = self._pair_keys[prefix]
            if not len(held):
                out.append((both[:0], self._state[:0]))
                continue
            where = np.minimum(np.searchsorted(held, keys), len(held) - 1)
            found = held[where] == keys
            out.append((both[found], self._state[attributes[where[found]]]))
        return out

    def _ids(self, lookup: dict[str, int], values: Sequence[str | None]) -> npt.NDArray[np.intp]:
        return np.fromiter(map(lookup.get, values, repeat(self._absent)), np.intp, len(values))  # type: ignore[arg-type]

    def _add_words(self, rows: list[int], columns: list[list[Column]]) -> None:
        """The summed weights of each part of the words of ``rows`` (:func:`word_columns`): the weights of
        a word's features that the model weighs, in the order of their templates, summed by
        ``np.add.reduceat`` (whose order of sums is its own: summed any other way, the last bits of a
        confidence could change)."""
        held, n_parts, n_labels = self._parts.shape
        if max(rows) >= held:
            grown = np.zeros((max(max(rows) + 1, 2 * held), n_parts, n_labels))
            grown[:held] = self._parts
            self._parts = grown
        at = np.array(rows, dtype=np.intp)
        self._parts[at] = 0.0
        found: dict[int, npt.NDArray[np.intp]] = {}  # a list of values of a shared kind: their rows
        ids = [self._column_ids(prefix, values, found) for part in columns for prefix, values in part]
        if not ids:
            return
        table = np.stack(ids, axis=1)  # [word, template], the parts' templates one after the other
        present = table != self._absent
        of_part = np.array([k for k, part in enumerate(columns) for _ in part], dtype=np.intp)
        keys = (at[:, None] * n_parts + of_part[None, :])[present]  # the word's row and the part
        features = table[present]  # word by word, each part's in the order of its templates
        if not len(features):
            return
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        flat = self._parts.reshape(-1, n_labels)
        flat[keys[starts]] = np.add.reduceat(self._state[features], starts, axis=0)

    def _column_ids(
        self, prefix: str, values: Sequence[str | None], found: dict[int, npt.NDArray[np.intp]]
    ) -> npt.NDArray[np.intp]:
        """The attribute of each of a template's values (:attr:`_absent` where the model has none); the
        values of a kind several templates share are looked up once (``found``, by the list's id)."""
        kind = self._kind.get(prefix)
        if kind is None:
            return self._ids(self._by_prefix.get(prefix, {}), values)
        lookup, table = self._shared[kind]
        rows = found.get(id(values))
        if rows is None:
            rows = found[id(values)] = np.fromiter(
                map(lookup.get, values, repeat(len(lookup))),  # type: ignore[arg-type]
                np.intp,
                len(values),
            )
        ids: npt.NDArray[np.intp] = table[rows, SHARED_VALUES[kind].index(prefix)]
        return ids

    def emissions(self, layout: Layout) -> Array:
        """``[token, label]``: the sum of the weights of the token's features for the label."""
        n = len(layout.words)
        rows = list(map(self._rows.get, layout.distinct, repeat(-1)))
        if -1 in rows:
            new = [j for j, row in enumerate(rows) if row == -1]
            for j in new:
                rows[j] = self._rows[layout.distinct[j]] = self._count
                self._count += 1
            self._add_words([rows[j] for j in new], word_columns([layout.distinct[j] for j in new]))
        far = [_FAR] * (PAD - 1)
        padded = np.concatenate([far, [_EDGE], np.array(rows, dtype=np.intp)[layout.local], [_EDGE], far])
        padded = padded.astype(np.intp, copy=False)
        around = self._parts[padded]  # [PAD + token + offset, part]: every part of the words around
        scores = np.zeros((n, len(self.labels)))
        for k, offset in enumerate(WINDOW):
            scores += around[PAD + offset : PAD + offset + n, k]
        empty: dict[str, int] = {}
        paired: dict[Pairs, dict[str, tuple[npt.NDArray[np.intp], Array]]] = {}
        for group in layout.groups:
            if not len(group.at):
                continue
            if group.keys is None:
                weights = self._state[self._by_prefix.get(group.prefix, empty).get("", self._absent)]
            elif isinstance(group.keys, Pairs):
                if group.keys not in paired:
                    paired[group.keys] = dict(zip(PAIRS, self._pair_weights(group.keys, PAIRS), strict=True))
                at, weights = paired[group.keys][group.prefix]
                scores[group.at[at]] += weights
                continue
            else:
                lookup = self._by_prefix.get(group.prefix, empty) if group.prefix else self._index
                weights = self._state[self._ids(lookup, group.keys)]  # type: ignore[arg-type]
            if group.once:
                scores[group.at] += weights
            else:
                np.add.at(scores, group.at, weights)
        return scores
