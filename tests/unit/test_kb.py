"""The knowledge base's pieces on their own: name keys, and the fuzzy index against brute-force rapidfuzz
on GeoNames' city names."""

from __future__ import annotations

import json
import random

import pytest
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from annotator.kb import FUZZY_MIN_LENGTH, FuzzyIndex, deletion_hashes, key_hashes, normalize
from annotator.kb.sources.geonames import data_folder


def test_normalize_ignores_case_diacritics_hyphens_and_spacing() -> None:
    assert normalize("Qubadlı") == normalize("QUBADLI") == normalize("Qu-badli") == "qubadli"
    assert normalize("Nagorno-Karabakh") == normalize("nagorno  karabakh") == normalize("NagornoKarabakh")
    assert (
        normalize("Łódź") == "lodz"
        and normalize("Øresund") == "oresund"
        and normalize("São Tomé") == "saotome"
    )
    assert normalize("Sol'deu") == "soldeu" and normalize(" - ") == ""


@pytest.fixture(scope="module")
def city_names() -> list[str]:
    """The names and alternate names of GeoNames' cities of 15,000+ people: real spellings, ~30,000."""
    cities = json.loads((data_folder() / "cities15000.json").read_text(encoding="utf-8"))
    names = {n for c in cities.values() for n in [c["name"], *c["alternatenames"]] if n.isascii()}
    return sorted(names)[::4]


@pytest.fixture(scope="module")
def city_index(city_names: list[str]) -> FuzzyIndex:
    rows = [(f"id{i}", name, "PLACE", [], None, float(i)) for i, name in enumerate(city_names)]
    return FuzzyIndex.build(rows)


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    kind = rng.choice(["delete", "insert", "substitute", "transpose"])
    if kind == "delete" and len(word) > 1:
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "transpose" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + letter + word[i + 1 :]


def brute_force_best(keys: list[str], query: str) -> float:
    best = process.extractOne(normalize(query), keys, scorer=fuzz.ratio)
    return float(best[1]) if best else 0.0


def test_index_recall_against_brute_force_on_random_and_typod_names(
    city_index: FuzzyIndex, city_names: list[str]
) -> None:
    """Names drawn at random come back first with score 100; for names with one or two typos, brute
    force's best score is the index's best score (ties count: any key with that score) for 98% of them."""
    rng = random.Random(7)
    keys = [city_index.keys[i] for i in range(len(city_index))]
    names = [name for name in rng.sample(city_names, 400) if len(normalize(name)) >= 4][:300]
    for name in names[:100]:
        assert city_index.search_keys(normalize(name))[0] == (city_index.exact(normalize(name)), 100.0)
    typod = [typo(rng, typo(rng, name)) if rng.random() < 0.3 else typo(rng, name) for name in names]
    hits = total = 0
    for query in typod:
        best = brute_force_best(keys, query)
        if best < 60:
            continue
        total += 1
        found = [score for _, score in city_index.search_keys(normalize(query))[:10]]
        hits += bool(found) and abs(found[0] - best) < 1e-9
    assert total >= 0.9 * len(typod)
    assert hits / total >= 0.98, (hits, total)


def test_document_matching_equals_brute_force_edit_distance(
    city_index: FuzzyIndex, city_names: list[str]
) -> None:
    rng = random.Random(3)
    keys = [city_index.keys[i] for i in range(len(city_index))]
    windows = [normalize(typo(rng, n)) for n in rng.sample(city_names, 60)] + [
        normalize(n) for n in city_names[:40]
    ]
    for window, found in zip(windows, city_index.match_keys(windows), strict=True):
        expected = {
            k
            for k in keys
            if k == window
            or (min(len(k), len(window)) >= FUZZY_MIN_LENGTH and OSA.distance(window, k, score_cutoff=1) <= 1)
        }
        assert {city_index.keys[i] for i, _ in found} == expected, window


def test_deletion_hashes_equal_the_hashes_of_the_deleted_strings() -> None:
    """The index hashes deletions from prefix and suffix sums; check against building each string."""
    rng = random.Random(11)
    alphabet = "abcxyzé字😀ı-"
    keys = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(300)]
    hashes, owners = deletion_hashes(keys, 3)
    built = [(k[:i] + k[i + 1 :], n) for n, k in enumerate(keys) if len(k) >= 3 for i in range(len(k))]
    assert sorted(zip(hashes.tolist(), owners.tolist(), strict=True)) == sorted(
        zip(key_hashes([s for s, _ in built]).tolist(), [n for _, n in built], strict=True)
    )
    assert len(set(key_hashes(sorted(set(keys))).tolist())) == len(set(keys))  # no collisions here


def test_windows_repeated_in_a_document_match_as_each_does_alone(
    city_index: FuzzyIndex, city_names: list[str]
) -> None:
    rng = random.Random(5)
    names = [normalize(typo(rng, n)) for n in rng.sample(city_names, 20)] + [
        normalize(n) for n in city_names[:10]
    ]
    windows = [rng.choice(names) for _ in range(90)] + ["", "zzzzzzzzqqq"]
    alone = {w: city_index.match_keys([w])[0] for w in set(windows)}
    together = city_index.match_keys(windows)
    assert together == [alone[w] for w in windows]
    assert any(together)
    together[0].append((0, 1.0))
    assert together[0] != together[windows.index(windows[0], 1)]  # each window's own list
