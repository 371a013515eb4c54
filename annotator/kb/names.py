"""Names as keys: :func:`normalize` reduces every name, alias and text window to the key it is looked
up under, and the vectorised functions here turn many keys at once into the 64-bit hashes and trigram
codes the fuzzy index is made of.

A key is case-folded with accents and other marks dropped, letters and digits only: ``Qubadlı``,
``QUBADLI`` and ``Qu-badli`` are all ``qubadli``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np

# Letters NFKD does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ħ": "h", "ŧ": "t"}
)
_NON_ALNUM = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """The key a name is indexed under: case-folded, accents and other marks dropped, letters and digits
    only (so hyphens, spaces, apostrophes and dots do not count)."""
    if text.isascii():
        return _NON_ALNUM.sub("", text.lower())
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKD", text.casefold().translate(_FOLD)))


_PRIME = np.uint64(0x100000001B3)
_CHUNK = 20_000
_LENGTH_SALT = np.uint64(0x9E3779B97F4A7C15)


def _by_length(keys: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Keys grouped by length: the keys' positions and their code points as an ``(n, length)`` array."""
    groups: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(len(key), []).append(i)
    for length, members in groups.items():
        if length == 0:
            continue
        for i in range(0, len(members), _CHUNK):  # chunks bound the temporary arrays' memory
            chunk = members[i : i + _CHUNK]
            text = "".join(keys[k] for k in chunk).encode("utf-32-le", "surrogatepass")
            codes = np.frombuffer(text, dtype=np.uint32).reshape(len(chunk), length).astype(np.uint64)
            yield np.asarray(chunk, dtype=np.int64), codes


def _powers(length: int) -> np.ndarray:
    powers = np.full(length, _PRIME, dtype=np.uint64)
    powers[0] = 1
    return np.cumprod(powers, dtype=np.uint64)  # wraps modulo 2**64, as intended


def _finish(h: np.ndarray, length: int) -> np.ndarray:
    """Mix in the length and spread the bits (splitmix64's finaliser)."""
    h = h + np.uint64(length) * _LENGTH_SALT
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def key_hashes(keys: Sequence[str]) -> np.ndarray:
    """A 64-bit polynomial hash of each key, the same in every process (``hash()`` is salted)."""
    out = np.zeros(len(keys), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for members, codes in _by_length(keys):
            length = codes.shape[1]
            out[members] = _finish((codes * _powers(length)).sum(axis=1, dtype=np.uint64), length)
    return out


def deletion_hashes(keys: Sequence[str], min_length: int) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every one-letter deletion of every key at least ``min_length`` long, computed from
    prefix and suffix sums without building the strings, with the index of the key it came from. Equal to
    ``key_hashes`` of the deleted strings."""
    total = sum(len(k) for k in keys if len(k) >= min_length)
    hashes = np.empty(total, dtype=np.uint64)  # filled in place: no list of parts to concatenate
    owners = np.empty(total, dtype=np.int32)
    at = 0
    with np.errstate(over="ignore"):
        for members, codes in _by_length(keys):
            length = codes.shape[1]
            if length < min_length:
                continue
            powers = _powers(length)
            terms = codes * powers
            before = np.cumsum(terms, axis=1, dtype=np.uint64) - terms  # letters before the deleted one
            shifted = np.zeros_like(terms)
            shifted[:, 1:] = codes[:, 1:] * powers[:-1]  # letters after it move one place left
            total_after = shifted.sum(axis=1, dtype=np.uint64)[:, None]
            after = total_after - np.cumsum(shifted, axis=1, dtype=np.uint64)
            size = codes.size
            hashes[at : at + size] = _finish(before + after, length - 1).ravel()
            owners[at : at + size] = np.repeat(members, length)
            at += size
    return hashes, owners


def trigram_codes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every trigram of every key padded with a space at each end, as one integer (three 21-bit code
    points), with the index of its key; keys in order, so for keys sorted by length the owners ascend."""
    total = sum(len(k) for k in keys)
    grams = np.empty(total, dtype=np.uint64)
    owners = np.empty(total, dtype=np.int32)
    at = 0
    for members, codes in _by_length(keys):
        padded = np.full((codes.shape[0], codes.shape[1] + 2), 32, dtype=np.uint64)
        padded[:, 1:-1] = codes
        size = codes.size
        grams[at : at + size] = (
            (padded[:, :-2] << np.uint64(42)) | (padded[:, 1:-1] << np.uint64(21)) | padded[:, 2:]
        ).ravel()
        owners[at : at + size] = np.repeat(members, codes.shape[1])
        at += size
    return grams, owners
