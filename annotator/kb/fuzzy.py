"""The fuzzy index over the knowledge base's keys, and the folder it is kept in.

The index over the distinct keys (:func:`annotator.kb.names.normalize`) is built once from the KB rows and
kept in a folder next to the database (``<db>.kbindex/``, numpy files opened memory-mapped, so loading takes
a fraction of a second); :func:`open_or_build` rebuilds it when the KB changed (the KB version differs
from the one the folder was built for). The ``kb`` commands rebuild it right after each change (the full
gazetteer: ~15 s, ~0.8 GB at the peak), so the TUI finds it ready.

Two look-ups, both in milliseconds with the full gazetteer (1.25 million names, 920,000 distinct keys;
figures in docs/benchmarks.md):

- :meth:`FuzzyIndex.search` (a selection, a query): an exact look-up of the key first, then a trigram index
  over keys sorted by length (only lengths that can reach ``MIN_SCORE`` are read; trigrams shared by more
  than ``COMMON_TRIGRAM`` keys are skipped), the best ``CANDIDATES`` keys by shared trigrams scored with
  rapidfuzz ``ratio``; equal scores are ordered by the entity's prominence (a population for places).
- :meth:`FuzzyIndex.match_keys` (every token window of a document): SymSpell-style, each key of at least
  ``FUZZY_MIN_LENGTH`` characters and its one-deletion variants are hashed; a window matches a key when
  they are equal or one edit apart (optimal string alignment). Used by :mod:`annotator.suggest`.

The loaded index is read-only, so searches may run in any thread.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from annotator.kb.names import deletion_hashes, key_hashes, normalize, trigram_codes
from annotator.leftovers import writer_running
from annotator.model import KbRow

MIN_SCORE = 60.0
CANDIDATES = 1000
COMMON_TRIGRAM = 5000
FUZZY_MIN_LENGTH = 5
INDEX_FORMAT = 2
_SEP = "\x1e"


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
        self.save_error: OSError | None = None
        """Why :func:`open_or_build` could not keep this index in its folder (a full disk, a read-only
        folder): it lives in memory for this run, and is built again next time."""
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
        rows: Iterable[KbRow],
        version: str | None = None,
        steps: BuildSteps | None = None,
        total: int = 0,
    ) -> FuzzyIndex:
        """Index ``(kb_id, name, label, aliases, description, prominence)`` rows (:data:`KbRow`);
        ``steps`` hears how far it is (``total``: the rows, when known)."""
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
            if steps is not None and i % 10_000 == 9_999:
                steps("reading the names", i + 1, total)
        step = _Steps(steps)
        step("sorting the names")
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
        step("hashing the names")
        hashes = key_hashes(keys)
        order = np.argsort(hashes, kind="stable")
        a["key_hash"], a["key_hash_ids"] = hashes[order], order.astype(np.int32)
        step("the index of misspellings")
        a["del_hash"], a["del_keys"] = _deletion_index(keys)
        step("the index of trigrams")
        a["tri_vocab"], a["tri_start"], a["tri_keys"] = _trigram_index(keys)
        step("packing the entries")
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
        """Write the index to ``folder``, replacing what is there only once the new one is complete. A
        failure (a full disk) leaves no temporary folder; those of processes killed while saving are
        removed first."""
        remove_stale_saves(folder)
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            for name, values in self._arrays().items():
                np.save(tmp / f"{name}.npy", values, allow_pickle=False)
            meta = {"format": INDEX_FORMAT, "version": self.version, "labels": self.labels}
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
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
        distinct_windows = list(dict.fromkeys(windows))
        if len(distinct_windows) < len(windows):  # a document repeats its names: each matched once
            matched = dict(zip(distinct_windows, self.match_keys(distinct_windows), strict=True))
            return [matched[w].copy() for w in windows]
        whole = key_hashes(windows)
        parts, part_owner = deletion_hashes(windows, FUZZY_MIN_LENGTH)
        hashes = np.concatenate([whole, parts])
        probe_owner = np.concatenate([np.arange(len(windows)), part_owner]).tolist()
        n_whole = len(windows)
        results: list[dict[int, float]] = [{} for _ in windows]
        # A window's key and its deletions against the keys (equal, or the window has one extra letter);
        # the window's key and its deletions against the keys' deletions (one letter missing or changed).
        # Each distinct hash looked up once, in ascending order (a document repeats its names, and numpy's
        # binary search over sorted needles starts where the last one ended: fewer cache misses in a table
        # of millions); the upper bound only for the hashes found.
        distinct, probe_hash = np.unique(hashes, return_inverse=True)
        for table, ids, fuzzy_table in (
            (self.key_hash, self.key_hash_ids, False),
            (self.del_hash, self.del_keys, True),
        ):
            left = np.searchsorted(table, distinct, side="left")
            found = left < len(table)
            found[found] = table[left[found]] == distinct[found]
            right = left.copy()
            right[found] = np.searchsorted(table, distinct[found], side="right")
            for p in np.nonzero(found[probe_hash])[0].tolist():
                w = probe_owner[p]
                key = windows[w]
                if not key or (fuzzy_table and len(key) < FUZZY_MIN_LENGTH):
                    continue
                d = probe_hash[p]
                for k in ids[left[d] : right[d]].tolist():
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


BuildSteps = Callable[[str, int, int], None]
"""Told ``(what, done, total)`` while an index is built: the rows read (``total`` 0 when not known),
then each of the steps after them (``done`` of ``total`` steps)."""


class _Steps:
    """The steps of a build after its rows, each said as it starts."""

    COUNT = 5

    def __init__(self, steps: BuildSteps | None) -> None:
        self.steps = steps
        self.done = 0

    def __call__(self, what: str) -> None:
        if self.steps is not None:
            self.steps(what, self.done, self.COUNT)
        self.done += 1


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


def remove_stale_saves(folder: Path) -> None:
    """``<index>.tmp-PID`` and ``<index>.old-PID`` folders whose process is gone (killed while saving)."""
    try:
        entries = list(folder.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        for mark in (".tmp-", ".old-"):
            pid = entry.name.removeprefix(folder.name + mark)
            if pid != entry.name and pid.isdigit() and not writer_running(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)


def index_folder(db_path: str | Path) -> Path:
    """Where the index of the database at ``db_path`` is kept: ``<db>.kbindex/`` next to it."""
    path = Path(db_path)
    return path.with_name(f"{path.name}.kbindex")


def open_or_build(
    folder: Path,
    version: str,
    rows: Iterable[KbRow],
    progress: Callable[[str], None] | None = None,
    steps: BuildSteps | None = None,
    total: int = 0,
) -> FuzzyIndex:
    """The index kept in ``folder`` when it was built for KB ``version``; otherwise one built from
    ``rows`` (read only then: pass a lazy iterable) and kept there. ``progress`` hears that a build
    starts. What saves killed half way left beside it is removed first, also when nothing is saved now
    (one killed after its swap leaves a ``.old-PID`` beside a good index). ``steps`` and ``total``: see
    :meth:`FuzzyIndex.build`."""
    remove_stale_saves(folder)
    index = FuzzyIndex.open(folder)
    if index is None or index.version != version:
        if progress is not None:
            progress("building the knowledge-base index")
        index = FuzzyIndex.build(rows, version, steps, total)
        if steps is not None:
            steps("saving the index", _Steps.COUNT, _Steps.COUNT)
        try:
            index.save(folder)
            index = FuzzyIndex.open(folder) or index
        except OSError as err:  # a full disk, a read-only folder: the index lives in memory for this run
            index.save_error = err
    return index
