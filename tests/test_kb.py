"""Knowledge base: import formats and their errors, the fuzzy index against brute-force rapidfuzz, the
cached index, and `kb search` on the command line."""

from __future__ import annotations

import json
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from annotator.kb import (
    FUZZY_MIN_LENGTH,
    FuzzyIndex,
    deletion_hashes,
    index_folder,
    key_hashes,
    normalize,
)
from annotator.kb.sources.geonames import data_folder
from tests.conftest import load_kb

SMALL_KB = """name,label,aliases,id
Qubadlı,PLACE,Kubadli|Qubadli,geonames:147305
Askyaran,PLACE,,geonames:148450
Martakert,PLACE,Aghdara|Mardakert,place:martakert
Martuni,PLACE,,geonames:616438
Nagorno-Karabakh,PLACE,Artsakh|Karabakh,place:nk
Mike Pompeo,ACTOR,Pompeo,
"""


def count(db: Path, table: str = "kb_entries") -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def small_kb(run, tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(SMALL_KB, encoding="utf-8")
    result = run("kb", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "added 6 knowledge-base entries" in result.stdout


def search(run, query: str, *args: str) -> list[dict]:
    result = run("kb", "search", query, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_normalize_ignores_case_diacritics_hyphens_and_spacing() -> None:
    assert normalize("Qubadlı") == normalize("QUBADLI") == normalize("Qu-badli") == "qubadli"
    assert normalize("Nagorno-Karabakh") == normalize("nagorno  karabakh") == normalize("NagornoKarabakh")
    assert (
        normalize("Łódź") == "lodz"
        and normalize("Øresund") == "oresund"
        and normalize("São Tomé") == "saotome"
    )
    assert normalize("Sol'deu") == "soldeu" and normalize(" - ") == ""


@pytest.mark.parametrize(
    ("query", "expected", "text"),
    [
        ("Gubadli", "Qubadlı", "Qubadli|Kubadli"),  # one letter from both
        ("qubadli", "Qubadlı", "Qubadlı"),
        ("QUBADLI", "Qubadlı", "Qubadlı"),
        ("Askeran", "Askyaran", "Askyaran"),
        ("Martakertt", "Martakert", "Martakert"),
        ("Mardakert", "Martakert", "Mardakert"),
        ("Nagorno Karabakh", "Nagorno-Karabakh", "Nagorno-Karabakh"),
        ("nagorno-karabah", "Nagorno-Karabakh", "Nagorno-Karabakh"),
    ],
)
def test_search_finds_close_spellings_first(run, small_kb, query: str, expected: str, text: str) -> None:
    found = search(run, query)
    assert found[0]["name"] == expected
    assert found[0]["text"] in text.split("|")
    assert set(found[0]) == {"name", "text", "label", "score", "kb_id"}
    assert found[0]["score"] == max(r["score"] for r in found)


def test_search_label_limit_and_stdin_batch(run, small_kb) -> None:
    assert [r["name"] for r in search(run, "Pompeo", "--label", "ACTOR")] == ["Mike Pompeo"]
    assert search(run, "Pompeo", "--label", "EVENT") == []
    assert len(search(run, "Martuni", "--limit", "1")) == 1
    result = run("kb", "search", "-", "--json", "--limit", "1", input="Gubadli\nAskeran\n")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["query"], r["name"]) for r in lines] == [("Gubadli", "Qubadlı"), ("Askeran", "Askyaran")]
    text = run("kb", "search", "Askeran")
    assert text.exit_code == 0 and text.stdout == " 80.0  PLACE  Askyaran  geonames:148450\n"


def test_search_prefers_the_better_known_entity_on_equal_scores(run, tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text(
        '{"name": "Geneva", "label": "PLACE", "id": "small", "prominence": 13062}\n'
        '{"name": "Geneva", "label": "PLACE", "id": "big", "prominence": 201741}\n'
        '{"name": "Genova", "label": "PLACE", "id": "other", "prominence": 900000}\n',
        encoding="utf-8",
    )
    assert run("kb", "import", str(path)).exit_code == 0
    assert [r["kb_id"] for r in search(run, "Geneva")] == ["big", "small", "other"]


def test_kb_import_tsv_jsonl_and_default_label(run, db: Path, tmp_path: Path) -> None:
    tsv = tmp_path / "actors.tsv"
    tsv.write_text("OSCE Minsk Group\t\tMinsk Group\n", encoding="utf-8")
    assert run("kb", "import", str(tsv), "--label", "ACTOR").exit_code == 0
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text(
        json.dumps({"name": "Second Karabakh War", "label": "EVENT", "aliases": ["44-day war"], "id": 7})
        + "\n",
        encoding="utf-8",
    )
    assert run("kb", "import", str(jsonl)).exit_code == 0
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT kb_id, name, label, aliases FROM kb_entries ORDER BY id").fetchall()
    conn.close()
    assert rows == [
        ("ACTOR:OSCE Minsk Group", "OSCE Minsk Group", "ACTOR", '["Minsk Group"]'),
        ("7", "Second Karabakh War", "EVENT", '["44-day war"]'),
    ]
    assert search(run, "44 day war")[0]["name"] == "Second Karabakh War"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "Paris,PLACE\nLyon\n", "a.csv:2: no label"),
        ("b.csv", "Paris,PLACE\nLyon,CITY\n", "b.csv:2: unknown label 'CITY'"),
        ("c.csv", "Paris,PLACE\n,PLACE\n", "c.csv:2: name must be a non-empty string"),
        ("d.csv", "Paris,PLACE\nLyon,PLACE,,id,extra\n", "d.csv:2: 5 columns"),
        ("e.tsv", 'Paris\tPLACE\n"Lyon\tPLACE\n', "e.tsv:2: bad TSV"),
        ("f.jsonl", '{"name": "Paris", "label": "PLACE"}\n{"name": "Lyon",\n', "f.jsonl:2: not JSON"),
        ("g.jsonl", '{"name": "Paris", "label": "PLACE"}\n["Lyon"]\n', "g.jsonl:2: expected a JSON object"),
        (
            "h.jsonl",
            '{"name": "Paris", "label": "PLACE", "aliases": "Paname"}\n',
            "h.jsonl:1: aliases must be",
        ),
        (
            "i.jsonl",
            '\n\n{"name": "Paris", "label": "PLACE", "id": true}\n',
            "i.jsonl:3: id must be a string",
        ),
        ("j.csv", b"Paris,PLACE\nLy\xffon,PLACE\n", "j.csv:2: not UTF-8"),
        ("k.csv", "\n\n", "k.csv: no entries"),
    ],
)
def test_kb_import_bad_input_is_one_line_and_imports_nothing(
    run, db: Path, tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert run("kb", "import", str(tmp_path / "ok.csv")).exit_code == 1  # a missing file too
    result = run("kb", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("annotator: error: ") and message in result.stderr, result.stderr
    if db.exists():
        assert count(db) == 0


def test_index_is_kept_next_to_the_database_and_rebuilt_when_the_kb_changes(run, db: Path, small_kb) -> None:
    folder = index_folder(db)
    assert (folder / "meta.json").is_file()  # built by `kb import`, not by the first search
    version = json.loads((folder / "meta.json").read_text())["version"]
    mtime = (folder / "key_hash.npy").stat().st_mtime_ns
    assert search(run, "Gubadli")[0]["name"] == "Qubadlı"
    assert (folder / "key_hash.npy").stat().st_mtime_ns == mtime  # opened, not rebuilt
    kb = load_kb(db)
    assert kb.index is not None and kb.index.version == version
    extra = db.parent / "more.csv"
    extra.write_text("Khojavend,PLACE,Martuni district\n", encoding="utf-8")
    assert run("kb", "import", str(extra)).exit_code == 0
    assert json.loads((folder / "meta.json").read_text())["version"] != version
    assert search(run, "Khojavent")[0]["name"] == "Khojavend"


def test_index_can_be_loaded_in_a_background_thread(run, db: Path, small_kb) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        kb = pool.submit(load_kb, db).result(timeout=30)
    assert kb.search("Gubadli")[0].name == "Qubadlı"


# --- the index against brute force ----------------------------------------------------------------


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


def test_a_damaged_kept_index_is_rebuilt(run, db: Path, small_kb) -> None:
    folder = index_folder(db)
    (folder / "tri_keys.npy").unlink()
    (folder / "key_hash.npy").write_bytes(b"not numpy")
    rebuilt = run("kb", "search", "Gubadli", "--json")
    assert rebuilt.stderr == "annotator: building the knowledge-base index...\n"
    assert json.loads(rebuilt.stdout.splitlines()[0])["name"] == "Qubadlı"
    assert run("kb", "search", "Gubadli").stderr == ""  # kept again
    assert (folder / "tri_keys.npy").is_file()
    (folder / "meta.json").write_text("{", encoding="utf-8")
    assert load_kb(db).search("Askeran")[0].name == "Askyaran"
