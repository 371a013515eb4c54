"""A crfsuite model's weights read from its bytes (crfsuite's own file format, ``crf1d_model.c``), exactly:
every state feature (attribute, label) and transition (label, label) with its 64-bit weight.

crfsuite's ``Tagger.info()`` prints the weights with six decimals (``crfsuite dump``) and costs more than a
prediction; this reads the file's chunks with numpy. What is read is what crfsuite itself scores by
(``crf1dt_state_score``: an item's score for a label is the sum of its attributes' weights for it; an
absent transition weighs 0).

The file: a 48-byte header (magic ``lCRF``, size, type ``FOMC``, version, counts, offsets), two CQDB
string databases (labels, attributes: id → string through a backward array of record offsets, a record
being id, size and the string with its final NUL), the features chunk (a 12-byte header: ``FEAT``, size,
count; then 20 bytes a feature: type 0 state / 1 transition, source, destination, weight as a
little-endian double), and the per-label and per-attribute lists of feature ids (not needed here).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CQDB_HEADER = struct.Struct("<4sIIIII")
_CHUNK = 12
_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1


class ModelFormatError(ValueError):
    """The bytes are not a crfsuite 1d model this reader knows."""


@dataclass(frozen=True)
class Weights:
    """A linear-chain CRF's parameters. ``state[a, l]``: the weight of attribute ``attributes[a]`` for
    label ``labels[l]`` (0 where the model has no such feature); ``transitions[i, j]``: of label ``i``
    followed by label ``j``."""

    labels: tuple[str, ...]
    attributes: tuple[str, ...]
    state: npt.NDArray[np.float64]
    transitions: npt.NDArray[np.float64]


def _strings(raw: bytes, at: int) -> list[str]:
    """The strings of the CQDB chunk at ``at``, by id."""
    if raw[at : at + 4] != b"CQDB":
        raise ModelFormatError("not a crfsuite model (no CQDB chunk where the header says)")
    _, _, _, _, count, backward = _CQDB_HEADER.unpack_from(raw, at)
    if count == 0:
        return []
    offsets = np.frombuffer(raw, "<u4", count, at + backward).astype(np.int64) + at
    view = np.frombuffer(raw, np.uint8)
    # A record: id (4 bytes), size with the final NUL (4 bytes), the string.
    sizes = (
        view[offsets + 4].astype(np.int64)
        | view[offsets + 5].astype(np.int64) << 8
        | view[offsets + 6].astype(np.int64) << 16
        | view[offsets + 7].astype(np.int64) << 24
    )
    starts = offsets + 8
    ends = starts + sizes - 1
    return [
        raw[s:e].decode("utf-8", "surrogateescape")
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    ]


def read_weights(raw: bytes) -> Weights:
    """The weights of the crfsuite model ``raw`` (the file's bytes, not compressed)."""
    try:
        return _read(raw)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as error:
        if isinstance(error, ModelFormatError):
            raise
        raise ModelFormatError(f"not a crfsuite model ({error})") from error


def _read(raw: bytes) -> Weights:
    if len(raw) < _HEADER.size:
        raise ModelFormatError("not a crfsuite model (too short)")
    magic, size, kind, _, _, n_labels, n_attributes, features, labels_at, attributes_at, _, _ = (
        _HEADER.unpack_from(raw, 0)
    )
    if magic != b"lCRF" or kind != b"FOMC":
        raise ModelFormatError("not a crfsuite 1d model")
    if len(raw) < size:
        raise ModelFormatError(f"a crfsuite model cut short ({len(raw):,} bytes of {size:,})")
    labels = _strings(raw, labels_at)
    attributes = _strings(raw, attributes_at)
    if len(labels) != n_labels or len(attributes) != n_attributes:
        raise ModelFormatError("a crfsuite model whose string tables disagree with its header")
    # The header's feature count is left 0 by crfsuite's writer; the chunk's own header holds it.
    chunk, _, n_features = struct.unpack_from("<4sII", raw, features)
    if chunk != b"FEAT":
        raise ModelFormatError("a crfsuite model with no feature chunk where the header says")
    table = np.frombuffer(raw, _FEATURE, n_features, features + _CHUNK)
    state = np.zeros((n_attributes, n_labels))
    transitions = np.zeros((n_labels, n_labels))
    is_state = table["type"] == _STATE
    is_transition = table["type"] == _TRANSITION
    if not (is_state | is_transition).all():
        raise ModelFormatError("a crfsuite model with features of an unknown type")
    # Each (attribute, label) and (label, label) is one feature in crfsuite's file: assigned, not added.
    state[table["src"][is_state], table["dst"][is_state]] = table["weight"][is_state]
    transitions[table["src"][is_transition], table["dst"][is_transition]] = table["weight"][is_transition]
    return Weights(tuple(labels), tuple(attributes), state, transitions)
