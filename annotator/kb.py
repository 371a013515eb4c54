"""The knowledge base's fuzzy index, and what earlier annotations teach.

Every KB name and alias is reduced to a *key* by :func:`normalize` (case, diacritics, hyphens, spaces and
punctuation ignored: ``Qubadlı``, ``QUBADLI`` and ``Qu-badli`` are all ``qubadli``). The index over the
distinct keys is built once from the database and kept in a folder next to it (``<db>.kbindex/``, numpy
files opened memory-mapped, so loading takes a fraction of a second); it is rebuilt when the KB changes
(the store's ``kb_version`` differs from the one the folder was built for). The ``kb`` commands rebuild
it right after each change (the full gazetteer: ~15 s, ~0.8 GB at the peak), so the TUI finds it ready.

Two look-ups, both in milliseconds with the full gazetteer (1.25 million names, 920,000 distinct keys;
figures in docs/benchmarks.md):

- :meth:`FuzzyIndex.search` (a selection, a query): an exact look-up of the key first, then a trigram index
  over keys sorted by length (only lengths that can reach ``MIN_SCORE`` are read; trigrams shared by more
  than ``COMMON_TRIGRAM`` keys are skipped), the best ``CANDIDATES`` keys by shared trigrams scored with
  rapidfuzz ``ratio``; equal scores are ordered by the entity's prominence (a population for places).
- :meth:`FuzzyIndex.match_keys` (every token window of a document): SymSpell-style, each key of at least
  ``FUZZY_MIN_LENGTH`` characters and its one-deletion variants are hashed; a window matches a key when
  they are equal or one edit apart (optimal string alignment). Used by :mod:`annotator.suggest`.

API for the TUI (nothing here imports textual; the loaded index is read-only, so searches may run in any
thread)::

    future = KnowledgeBase.load_async(db_path)    # Future[KnowledgeBase], own connection, own thread
    kb = future.result()                          # or KnowledgeBase.load(db_path), blocking
    kb.search("Gubadli", label=None, limit=10)    # -> list[Suggestion], best first (~1-2 ms)
    kb.learn("Gubadli", "PLACE", "geonames:147305")  # after saving a span: that text ranks first now

    from annotator.suggest import best_first, candidates, propose
    candidates(store, kb, doc_id, layer)  # -> list[Candidate] in text order, not yet accepted nor rejected
    best_first(candidates(...))           # the order `annotator suggest` prints
    propose(text, kb)                     # the same without the store (pure; for a worker thread)
    store.edits.edit(doc_id, layer, add=as_accepted(c.span() for c in chosen), who=user)  # one undo step
    store.kb.reject_suggestion(doc_id, layer, c.start, c.end, c.label)             # never proposed again

:class:`Suggestion` carries ``name`` (the entry's canonical name), ``text`` (the name or alias that
matched), ``label``, ``score`` (0-100), ``kb_id``, ``description`` (``Azerbaijan, population 6,890``),
``learned`` (how many saved spans taught it; 0 for KB-only results) and ``prominence``.
``Suggestion.to_json()`` is the shape of ``kb search --json``. Earlier annotations
(``store.kb.learned_mentions``) rank above KB entries of the same score.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from annotator.store import Store

MIN_SCORE = 60.0
CANDIDATES = 1000
COMMON_TRIGRAM = 5000
FUZZY_MIN_LENGTH = 5
INDEX_FORMAT = 2

# Letters NFKD does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ħ": "h", "ŧ": "t"}
)
_NON_ALNUM = re.compile(r"[\W_]+")
_SEP = "\x1e"


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


@dataclass(frozen=True)
class Suggestion:
    name: str
    text: str
    label: str
    score: float
    kb_id: str | None
    description: str | None = None
    learned: int = 0
    prominence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "text": self.text,
            "label": self.label,
            "score": round(self.score, 2),
            "kb_id": self.kb_id,
        }


class _Strings:
    """Many strings in one UTF-8 blob with offsets: compact, and decoded only when asked for."""

    def __init__(self, blob: bytes, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def build(cls, strings: Iterable[str]) -> _Strings:
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.blob[self.offsets[i] : self.offsets[i + 1]].decode("utf-8", "surrogatepass")

    def many(self, indices: np.ndarray) -> list[str]:
        """The strings at ``indices``, with one array look-up for all the offsets."""
        blob = self.blob
        starts, ends = self.offsets[indices].tolist(), self.offsets[indices + 1].tolist()
        return [blob[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends, strict=True)]


class FuzzyIndex:
    """The read-only index over the KB's keys; build it with :meth:`build`, keep it with :meth:`save`."""

    def __init__(self, arrays: dict[str, np.ndarray], labels: list[str], version: str | None) -> None:
        self.version = version
        self.labels = labels
        a = arrays
        self.keys = _Strings(a["key_blob"].tobytes(), a["key_offsets"])
        self.key_len = a["key_len"]
        self.len_start: list[int] = a["len_start"].tolist()
        self.key_entry_start = a["key_entry_start"]
        self.key_entries = a["key_entries"]
        self.key_hash = a["key_hash"]
        self.key_hash_ids = a["key_hash_ids"]
        self.del_hash = a["del_hash"]
        self.del_keys = a["del_keys"]
        self.tri_start = a["tri_start"]
        self.tri_keys = a["tri_keys"]
        self.tri_vocab = a["tri_vocab"]
        self.entry_label = a["entry_label"]
        self.entry_prominence = a["entry_prominence"]
        self.entry_kb_id = _Strings(a["entry_kb_id_blob"].tobytes(), a["entry_kb_id_offsets"])
        self.entry_name = _Strings(a["entry_name_blob"].tobytes(), a["entry_name_offsets"])
        self.entry_description = _Strings(a["entry_desc_blob"].tobytes(), a["entry_desc_offsets"])
        self.entry_names = _Strings(a["entry_names_blob"].tobytes(), a["entry_names_offsets"])
        self._by_kb_id: dict[tuple[str, str], int] | None = None

    # --- building and keeping ----------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[str, str, str, list[str], str | None, float]],
        version: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> FuzzyIndex:
        """Index ``(kb_id, name, label, aliases, description, prominence)`` rows (``store.kb.rows``)."""
        labels: list[str] = []
        label_ids: dict[str, int] = {}
        entry_label: list[int] = []
        prominence: list[float] = []
        kb_ids: list[str] = []
        names: list[str] = []
        descriptions: list[str] = []
        all_names: list[str] = []
        entries_of: dict[str, list[int]] = {}
        for i, (kb_id, name, label, aliases, description, prom) in enumerate(rows):
            if label not in label_ids:
                label_ids[label] = len(labels)
                labels.append(label)
            entry_label.append(label_ids[label])
            prominence.append(prom or 0.0)
            kb_ids.append(kb_id)
            names.append(name)
            descriptions.append(description or "")
            spelled = list(dict.fromkeys([name, *aliases]))
            all_names.append(_SEP.join(spelled))
            for key in {normalize(n) for n in spelled}:
                if key:
                    entries_of.setdefault(key, []).append(i)
            if progress is not None and i % 10_000 == 9_999:
                progress(10_000)
        prom_array = np.asarray(prominence, dtype=np.float64)
        keys = sorted(entries_of, key=lambda k: (len(k), k))
        a: dict[str, np.ndarray] = {}
        key_strings = _Strings.build(keys)
        a["key_blob"] = np.frombuffer(key_strings.blob, dtype=np.uint8)
        a["key_offsets"] = np.asarray(key_strings.offsets, dtype=np.int64)
        key_len = np.asarray([len(k) for k in keys], dtype=np.int32)
        a["key_len"] = key_len
        max_len = int(key_len.max()) if len(keys) else 0
        a["len_start"] = np.searchsorted(key_len, np.arange(max_len + 2)).astype(np.int64)
        # Each key's entries, the best known first.
        counts = np.fromiter((len(entries_of[k]) for k in keys), dtype=np.int64, count=len(keys))
        a["key_entry_start"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        total = int(counts.sum())
        entries = np.fromiter((e for k in keys for e in entries_of[k]), dtype=np.int32, count=total)
        del entries_of
        owner = np.repeat(np.arange(len(keys)), counts)
        a["key_entries"] = entries[np.lexsort((-prom_array[entries], owner))]
        hashes = key_hashes(keys)
        order = np.argsort(hashes, kind="stable")
        a["key_hash"], a["key_hash_ids"] = hashes[order], order.astype(np.int32)
        a["del_hash"], a["del_keys"] = _deletion_index(keys)
        a["tri_vocab"], a["tri_start"], a["tri_keys"] = _trigram_index(keys)
        a["entry_label"] = np.asarray(entry_label, dtype=np.int16)
        a["entry_prominence"] = prom_array
        for name, strings in (
            ("entry_kb_id", kb_ids),
            ("entry_name", names),
            ("entry_desc", descriptions),
            ("entry_names", all_names),
        ):
            built = _Strings.build(strings)
            a[f"{name}_blob"] = np.frombuffer(built.blob, dtype=np.uint8)
            a[f"{name}_offsets"] = np.asarray(built.offsets, dtype=np.int64)
        return cls(a, labels, version)

    def _arrays(self) -> dict[str, np.ndarray]:
        def blob(strings: _Strings) -> tuple[np.ndarray, np.ndarray]:
            return np.frombuffer(strings.blob, dtype=np.uint8), np.asarray(strings.offsets, dtype=np.int64)

        a: dict[str, np.ndarray] = {}
        a["key_blob"], a["key_offsets"] = blob(self.keys)
        for name in (
            "key_len", "key_entry_start", "key_entries", "key_hash", "key_hash_ids", "del_hash", "del_keys",
            "tri_vocab", "tri_start", "tri_keys", "entry_label", "entry_prominence",
        ):  # fmt: skip
            a[name] = getattr(self, name)
        a["len_start"] = np.asarray(self.len_start, dtype=np.int64)
        for name, strings in (
            ("entry_kb_id", self.entry_kb_id),
            ("entry_name", self.entry_name),
            ("entry_desc", self.entry_description),
            ("entry_names", self.entry_names),
        ):
            a[f"{name}_blob"], a[f"{name}_offsets"] = blob(strings)
        return a

    def save(self, folder: Path) -> None:
        """Write the index to ``folder``, replacing what is there only once the new one is complete."""
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, values in self._arrays().items():
            np.save(tmp / f"{name}.npy", values, allow_pickle=False)
        meta = {"format": INDEX_FORMAT, "version": self.version, "labels": self.labels}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        if folder.exists():
            folder.rename(old)
        try:
            tmp.rename(folder)
        except OSError:  # another process put a fresh one there first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def open(cls, folder: Path) -> FuzzyIndex | None:
        """The index kept in ``folder``, memory-mapped; None when there is none or it is unreadable."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != INDEX_FORMAT:
                return None
            # plain ndarray views of the maps: np.memmap's own __getitem__ is slow in a hot loop
            arrays = {
                p.stem: np.load(p, mmap_mode="r", allow_pickle=False).view(np.ndarray)
                for p in folder.glob("*.npy")
            }
            return cls(arrays, list(meta["labels"]), meta["version"])
        except (OSError, ValueError, KeyError):
            return None

    # --- looking up --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.keys)

    def exact(self, key: str) -> int | None:
        """The index of ``key`` itself, or None."""
        h = key_hashes([key])[0]
        lo = int(np.searchsorted(self.key_hash, h, side="left"))
        while lo < len(self.key_hash) and self.key_hash[lo] == h:
            k = int(self.key_hash_ids[lo])
            if self.keys[k] == key:
                return k
            lo += 1
        return None

    def search_keys(self, key: str, min_score: float = MIN_SCORE) -> list[tuple[int, float]]:
        """Keys close to ``key`` as ``(key index, ratio)``, best first, at least ``min_score``."""
        n = len(key)
        if n == 0 or len(self.keys) == 0:
            return []
        # ratio = 2·matches / (n + m) can reach min_score only for m in [n·s/(2-s), n·(2-s)/s].
        s = min_score / 100
        lo_len = max(1, math.ceil(n * s / (2 - s)))
        hi_len = math.floor(n * (2 - s) / s) if s > 0 else n * 100
        top = len(self.len_start) - 1
        first, stop = self.len_start[min(lo_len, top)], self.len_start[min(hi_len + 1, top)]
        lists = []
        grams = np.unique(trigram_codes([key])[0])
        at = np.searchsorted(self.tri_vocab, grams)
        for g, code in zip(at.tolist(), grams.tolist(), strict=True):
            if g >= len(self.tri_vocab) or int(self.tri_vocab[g]) != code:
                continue
            posting = self.tri_keys[self.tri_start[g] : self.tri_start[g + 1]]
            a, b = np.searchsorted(posting, (first, stop))
            if b > a:
                lists.append(posting[a:b])
        exact = self.exact(key)
        if not lists:
            return [(exact, 100.0)] if exact is not None else []
        lists.sort(key=len)
        rare = [p for p in lists if len(p) <= COMMON_TRIGRAM] or lists[:1]
        ids, counts = np.unique(np.concatenate(rare), return_counts=True)
        if len(ids) > CANDIDATES:
            # most shared trigrams first, then the closest length
            priority = counts.astype(np.int64) * 1000 - np.abs(self.key_len[ids] - n)
            ids = ids[np.argpartition(-priority, CANDIDATES)[:CANDIDATES]]
        if exact is not None and exact not in ids:
            ids = np.append(ids, exact)
        candidates = ids.tolist()
        strings = self.keys.many(ids)
        scores = process.cdist([key], strings, scorer=fuzz.ratio, dtype=np.float64)[0]
        order = np.argsort(-scores, kind="stable")
        return [(candidates[i], float(scores[i])) for i in order if scores[i] >= min_score]

    def entries_of(self, key_index: int) -> list[int]:
        start, stop = self.key_entry_start[key_index], self.key_entry_start[key_index + 1]
        entries: list[int] = self.key_entries[start:stop].tolist()
        return entries

    def entry_label_name(self, entry: int) -> str:
        return self.labels[int(self.entry_label[entry])]

    def entry_by_kb_id(self, kb_id: str, label: str) -> int | None:
        if self._by_kb_id is None:
            self._by_kb_id = {
                (self.entry_kb_id[i], self.entry_label_name(i)): i for i in range(len(self.entry_kb_id))
            }
        return self._by_kb_id.get((kb_id, label))

    def spelling(self, entry: int, key: str) -> str:
        """The entry's name or alias that normalises to ``key`` (its name when none does)."""
        for name in self.entry_names[entry].split(_SEP):
            if normalize(name) == key:
                return name
        return self.entry_name[entry]

    def suggestion(self, entry: int, key: str, score: float) -> Suggestion:
        return Suggestion(
            name=self.entry_name[entry],
            text=self.spelling(entry, key),
            label=self.entry_label_name(entry),
            score=score,
            kb_id=self.entry_kb_id[entry],
            description=self.entry_description[entry] or None,
            prominence=float(self.entry_prominence[entry]),
        )

    def search(self, query: str, label: str | None = None, limit: int = 10) -> list[Suggestion]:
        """Entries whose name or an alias is close to ``query``: best score first, then best known."""
        key = normalize(query)
        found: list[tuple[float, float, int, int]] = []
        seen: set[int] = set()
        label_id = self.labels.index(label) if label in self.labels else None
        if label is not None and label_id is None:
            return []
        last_score = None
        for key_index, score in self.search_keys(key):
            if len(found) >= limit and score != last_score:
                break
            for entry in self.entries_of(key_index):
                if entry in seen or (label_id is not None and self.entry_label[entry] != label_id):
                    continue
                seen.add(entry)
                found.append((-score, -float(self.entry_prominence[entry]), entry, key_index))
                last_score = score
        found.sort()
        return [self.suggestion(e, self.keys[k], -s) for s, _, e, k in found[:limit]]

    def match_keys(self, windows: Sequence[str]) -> list[list[tuple[int, float]]]:
        """For each normalised window, the keys equal to it or (both at least ``FUZZY_MIN_LENGTH`` long)
        one edit away, as ``(key index, ratio)``."""
        if not windows or len(self.keys) == 0:
            return [[] for _ in windows]
        whole = key_hashes(windows)
        parts, part_owner = deletion_hashes(windows, FUZZY_MIN_LENGTH)
        hashes = np.concatenate([whole, parts])
        probe_owner = np.concatenate([np.arange(len(windows)), part_owner]).tolist()
        n_whole = len(windows)
        results: list[dict[int, float]] = [{} for _ in windows]
        # A window's key and its deletions against the keys (equal, or the window has one extra letter);
        # the window's key and its deletions against the keys' deletions (one letter missing or changed).
        for table, ids, fuzzy_table in (
            (self.key_hash, self.key_hash_ids, False),
            (self.del_hash, self.del_keys, True),
        ):
            left = np.searchsorted(table, hashes, side="left")
            right = np.searchsorted(table, hashes, side="right")
            for p in np.nonzero(right > left)[0].tolist():
                w = probe_owner[p]
                key = windows[w]
                if not key or (fuzzy_table and len(key) < FUZZY_MIN_LENGTH):
                    continue
                for k in ids[left[p] : right[p]].tolist():
                    if k in results[w]:
                        continue
                    candidate = self.keys[k]
                    if candidate == key:
                        results[w][k] = 100.0
                    elif (
                        (p >= n_whole or fuzzy_table)
                        and min(len(candidate), len(key)) >= FUZZY_MIN_LENGTH
                        and OSA.distance(key, candidate, score_cutoff=1) <= 1
                    ):
                        results[w][k] = fuzz.ratio(key, candidate)
        return [sorted(r.items(), key=lambda kv: -kv[1]) for r in results]


def _deletion_index(keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    hashes, owners = deletion_hashes(keys, FUZZY_MIN_LENGTH)
    order = np.argsort(hashes)
    hashes = hashes[order]
    owners = owners[order]
    return hashes, owners


def _trigram_index(keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posting lists: for each distinct trigram (sorted codes), the keys holding it, ascending (by length).

    ``keys`` are sorted by length, so a stable sort by trigram keeps each posting list in key order."""
    grams, owners = trigram_codes(keys)
    order = np.argsort(grams, kind="stable")
    grams = grams[order]
    owners = owners[order]
    del order
    distinct = np.ones(len(grams), dtype=bool)
    distinct[1:] = (grams[1:] != grams[:-1]) | (owners[1:] != owners[:-1])  # a trigram twice in one key
    grams = grams[distinct]
    owners = owners[distinct]
    del distinct
    start = np.flatnonzero(np.concatenate([[True], grams[1:] != grams[:-1]]))  # already sorted
    return grams[start], np.append(start, len(grams)).astype(np.int64), owners


@dataclass
class LearnedName:
    text: str
    label: str
    kb_id: str | None
    count: int


class Learned:
    """What saved spans teach: for each key, the labels and KB ids annotators gave that text."""

    def __init__(self, mentions: Iterable[tuple[str, str, str | None, int]] = ()) -> None:
        self.by_key: dict[str, list[LearnedName]] = {}
        for text, label, kb_id, count in mentions:
            self.add(text, label, kb_id, count)

    def add(self, text: str, label: str, kb_id: str | None, count: int = 1) -> None:
        key = normalize(text)
        if not key:
            return
        names = self.by_key.setdefault(key, [])
        for name in names:
            if name.label == label and name.kb_id == kb_id:
                name.count += count
                break
        else:
            names.append(LearnedName(text, label, kb_id, count))
        names.sort(key=lambda n: -n.count)

    def search(self, key: str, limit: int) -> list[tuple[str, float]]:
        if not self.by_key or not key:
            return []
        return [
            (choice, float(score))
            for choice, score, _ in process.extract(
                key, list(self.by_key), scorer=fuzz.ratio, limit=limit, score_cutoff=MIN_SCORE
            )
        ]


def index_folder(db_path: str | Path) -> Path:
    path = Path(db_path)
    return path.with_name(f"{path.name}.kbindex")


class KnowledgeBase:
    """The fuzzy index plus what earlier annotations teach; see the module docstring for the API."""

    def __init__(self, index: FuzzyIndex | None, learned: Learned) -> None:
        self.index = index
        self.learned = learned

    @classmethod
    def load(cls, db_path: str | Path, progress: Callable[[str], None] | None = None) -> KnowledgeBase:
        """Open the kept index, or build (and keep) it when the KB changed since it was built."""
        with Store(db_path) as store:
            return cls.from_store(store, progress)

    @classmethod
    def from_store(cls, store: Store, progress: Callable[[str], None] | None = None) -> KnowledgeBase:
        learned = Learned(store.kb.learned_mentions())
        version = store.kb.version()
        if version is None:
            return cls(None, learned)
        folder = index_folder(store.path)
        index = FuzzyIndex.open(folder)
        if index is None or index.version != version:
            if progress is not None:
                progress("building the knowledge-base index")
            index = FuzzyIndex.build(store.kb.rows(), version)
            try:
                index.save(folder)
                index = FuzzyIndex.open(folder) or index
            except OSError:
                pass  # a read-only folder: the index lives in memory for this run
        return cls(index, learned)

    @classmethod
    def load_async(cls, db_path: str | Path) -> Future[KnowledgeBase]:
        """Load in a background thread (its own database connection); the caller never waits."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-load")
        future = executor.submit(cls.load, db_path)
        executor.shutdown(wait=False)
        return future

    def learn(self, text: str, label: str, kb_id: str | None) -> None:
        """Count a span just saved, so the same text suggests it first without reloading."""
        self.learned.add(text, label, kb_id)

    def search(self, query: str, label: str | None = None, limit: int = 10) -> list[Suggestion]:
        """Earlier annotations and KB entries close to ``query``, best first; a learned text ranks above
        gazetteer entries of the same score."""
        key = normalize(query)
        results: list[Suggestion] = []
        for learned_key, score in self.learned.search(key, limit):
            for name in self.learned.by_key[learned_key]:
                if label is not None and name.label != label:
                    continue
                results.append(self.learned_suggestion(name, score))
        if self.index is not None:
            taught = {(s.kb_id, s.label) for s in results if s.kb_id}
            found = self.index.search(query, label, limit + len(taught))
            results.extend(s for s in found if (s.kb_id, s.label) not in taught)
        results.sort(key=lambda s: (-s.score, -s.learned, -s.prominence))
        return results[:limit]

    def learned_suggestion(self, name: LearnedName, score: float) -> Suggestion:
        entry = None
        if self.index is not None and name.kb_id:
            entry = self.index.entry_by_kb_id(name.kb_id, name.label)
        if entry is None:
            return Suggestion(name.text, name.text, name.label, score, name.kb_id, None, name.count)
        assert self.index is not None
        return Suggestion(
            name=self.index.entry_name[entry],
            text=name.text,
            label=name.label,
            score=score,
            kb_id=name.kb_id,
            description=self.index.entry_description[entry] or None,
            learned=name.count,
            prominence=float(self.index.entry_prominence[entry]),
        )
