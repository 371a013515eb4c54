"""Fuzzy look-up and pre-annotation with the built-in gazetteer (GeoNames, ~1.25 million names).

Measured side by side in one run:
- single-query look-up, index vs brute force (rapidfuzz ``process.extract`` with ``ratio`` over every
  normalised name): median and p95 per query, the speed ratio, and recall@10 of brute force's best score
  on typo'd names (one edit, a third of them two);
- loading the kept index in a fresh process (seconds, RSS after loading and after 200 queries);
- pre-annotating a 5,000-word article with one-typo gazetteer names inserted: time and recall;
- pre-annotation of the seed article against the hand-made gold (tests/gold/seed_places.jsonl) and the
  same with spaCy's PhraseMatcher (exact, lower-cased) over the names of places of ``--spacy-min-population``
  people or more (the whole gazetteer takes about a minute and 2.4 GB to build; see docs/benchmarks.md).

    .venv/bin/python bench/suggest.py [--db PATH] [--queries 500] [--spacy-min-population 15000]

Without ``--db`` the gazetteer is loaded into a temporary database first (about 20 s).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The project root on the path, so `annotator` and `bench` import from the checkout.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numpy as np  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from annotator.kb import KnowledgeBase, normalize  # noqa: E402
from annotator.kb.sources import geonames_entries  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest import propose  # noqa: E402
from bench.corpus import vocabulary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "seed_places.jsonl"
LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Peak RSS from /proc (VmHWM): getrusage's ru_maxrss would count the parent's memory at fork time.
LOAD = r"""
import json, sys, time
def peak_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
started = time.perf_counter()
from annotator.kb import KnowledgeBase
from annotator.store import Store
with Store(sys.argv[1]) as store:
    kb = KnowledgeBase.load(store.kb)
loaded = time.perf_counter() - started
rss_loaded = peak_mb()
for q in json.loads(sys.argv[2]):
    kb.search(q)
print(json.dumps({"seconds": loaded, "rss_loaded": rss_loaded, "rss_queries": peak_mb()}))
"""


def typo(rng: random.Random, word: str, keep_first: bool = False) -> str:
    """One random edit (delete, insert, substitute, transpose); never the first letter if asked."""
    first = 1 if keep_first else 0
    for _ in range(20):
        i = rng.randrange(first, len(word))
        if not word[i].isalpha():
            continue
        kind = rng.choice(["delete", "insert", "substitute", "transpose"])
        if kind == "delete":
            return word[:i] + word[i + 1 :]
        if kind == "insert":
            return word[:i] + rng.choice(LETTERS) + word[i:]
        if kind == "transpose" and i + 1 < len(word) and word[i + 1].isalpha() and word[i] != word[i + 1]:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        other = rng.choice(LETTERS.replace(word[i].lower(), ""))
        return word[:i] + other + word[i + 1 :]
    return word


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def load(store: Store) -> KnowledgeBase:
    """The database's KB, its index built and kept first when the KB changed."""
    return KnowledgeBase.load(store.kb)


def prepare(db: Path) -> None:
    started = time.perf_counter()
    with Store(db) as store:
        count = store.kb.add(geonames_entries())
        added = time.perf_counter() - started
        started = time.perf_counter()
        kb = load(store)
    assert kb.index is not None
    print(f"gazetteer: {count:,} entries in {added:.1f} s; index of {len(kb.index):,} distinct names built"
          f" and kept in {time.perf_counter() - started:.1f} s")  # fmt: skip


def sample_names(kb: KnowledgeBase, rng: random.Random, n: int, min_length: int) -> list[tuple[int, str]]:
    """Random entries' canonical names in Latin letters, with the entry index."""
    index = kb.index
    assert index is not None
    out: list[tuple[int, str]] = []
    while len(out) < n:
        entry = rng.randrange(len(index.entry_name))
        name = index.entry_name[entry]
        if (
            name.isascii()
            and len(normalize(name)) >= min_length
            and all(w[:1].isupper() for w in name.split())
        ):
            out.append((entry, name))
    return out


def bench_queries(kb: KnowledgeBase, rng: random.Random, n: int) -> list[str]:
    index = kb.index
    assert index is not None
    names = sample_names(kb, rng, n, 4)
    edits = [2 if rng.random() < 1 / 3 else 1 for _ in names]
    queries = [
        typo(rng, typo(rng, name)) if e == 2 else typo(rng, name)
        for (_, name), e in zip(names, edits, strict=True)
    ]
    keys = [index.keys[i] for i in range(len(index))]
    index_ms: list[float] = []
    top10: list[list[float]] = []
    intended_index: list[bool] = []
    intended_entity: list[bool] = []
    for (entry, _), q in zip(names, queries, strict=True):
        started = time.perf_counter()
        found = index.search(q, limit=10)
        index_ms.append((time.perf_counter() - started) * 1000)
        top_keys = index.search_keys(normalize(q))[:10]
        top10.append([s for _, s in top_keys])
        intended_index.append(any(entry in index.entries_of(k) for k, _ in top_keys))
        intended_entity.append(any(s.kb_id == index.entry_kb_id[entry] for s in found))
    brute_ms: list[float] = []
    for q in queries[:40]:
        started = time.perf_counter()
        process.extract(normalize(q), keys, scorer=fuzz.ratio, limit=10)
        brute_ms.append((time.perf_counter() - started) * 1000)
    best: list[float] = []
    intended_brute: list[bool] = []
    batch = 20
    for i in range(0, len(queries), batch):
        scores = process.cdist([normalize(q) for q in queries[i : i + batch]], keys, scorer=fuzz.ratio,
                               dtype=np.float32, workers=1)  # fmt: skip
        best.extend(scores.max(axis=1).tolist())
        for (entry, _), row in zip(names[i : i + batch], scores, strict=True):
            top = np.argpartition(-row, 10)[:10]  # brute force's top 10 keys (ties cut arbitrarily)
            intended_brute.append(any(entry in index.entries_of(int(k)) for k in top))
    hit = [bool(t) and max(t) >= b - 1e-3 for t, b in zip(top10, best, strict=True)]

    def share(flags: list[bool], edit: int | None = None) -> str:
        chosen = [f for f, e in zip(flags, edits, strict=True) if edit is None or e == edit]
        return f"{sum(chosen) / len(chosen):.3f}"

    print(f"\nsingle query, {n} typo'd names ({edits.count(1)} with 1 edit, {edits.count(2)} with 2), top 10,"
          f" {len(keys):,} names")  # fmt: skip
    print(f"  index        median {statistics.median(index_ms):6.2f} ms  p95 {pct(index_ms, 95):6.2f} ms")
    print(f"  brute force  median {statistics.median(brute_ms):6.2f} ms  p95 {pct(brute_ms, 95):6.2f} ms"
          f"  ({len(brute_ms)} queries; process.extract, ratio, names pre-normalised)")  # fmt: skip
    ratio = statistics.median(brute_ms) / statistics.median(index_ms)
    print(f"  speed ratio (medians) {ratio:.0f}x")
    print(
        f"  recall@10 of brute force's best score: {share(hit)}"
        f" (1 edit {share(hit, 1)}, 2 edits {share(hit, 2)})"
    )
    print(
        f"  intended name in the top 10 names: index {share(intended_index)}, brute force"
        f" {share(intended_brute)}; intended entity in the index's top 10 entities: {share(intended_entity)}"
    )
    return queries


def bench_load(db: Path, queries: list[str]) -> None:
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", LOAD, str(db), json.dumps(queries[:200])],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        runs.append(json.loads(out.stdout))
    print("\nloading the kept index in a fresh process (3 runs)")
    print(f"  median {statistics.median(r['seconds'] for r in runs):.3f} s (imports included);"
          " peak RSS after loading"
          f" {statistics.median(r['rss_loaded'] for r in runs):.0f} MB, after 200 queries"
          f" {statistics.median(r['rss_queries'] for r in runs):.0f} MB")  # fmt: skip


def article_with_typos(kb: KnowledgeBase, rng: random.Random, words: int, mentions: int) -> tuple[str, list]:
    """Seed-article words with ``mentions`` gazetteer names inserted ("in NAME,"), each with one typo."""
    index = kb.index
    assert index is not None
    vocab = [w for w in vocabulary() if w.isalpha() and w.islower()]
    names = sample_names(kb, rng, mentions, 6)
    parts: list[str] = []
    inserted: list[tuple[int, int, str, str]] = []
    length = 0
    every = words // mentions
    for i in range(words):
        if i % every == every // 2 and len(inserted) < mentions:
            entry, name = names[len(inserted)]
            wrong = typo(rng, name, keep_first=True)
            parts.append("in")
            start = length + 3
            parts.append(wrong + ",")
            inserted.append((start, start + len(wrong), index.entry_kb_id[entry], name))
            length += 3 + len(wrong) + 2
        word = rng.choice(vocab) + ("." if rng.random() < 0.06 else "")
        parts.append(word)
        length += len(word) + 1
    text = " ".join(parts)
    for start, end, _, _ in inserted:
        assert text[end] == ",", (text[start - 5 : end + 5],)
    return text, inserted


def bench_article(kb: KnowledgeBase, rng: random.Random) -> str:
    text, inserted = article_with_typos(kb, rng, 5000, 100)
    times = []
    for _ in range(7):
        started = time.perf_counter()
        found = propose(text, kb)
        times.append((time.perf_counter() - started) * 1000)
    spans = {(c.start, c.end): c for c in found}
    hit = [spans.get((s, e)) for s, e, _, _ in inserted]
    same = sum(c is not None and c.kb_id == kb_id for c, (_, _, kb_id, _) in zip(hit, inserted, strict=True))
    print(f"\npre-annotating a {len(text.split()):,}-word article with {len(inserted)} one-typo place names")
    print(f"  time median {statistics.median(times):.1f} ms, p95 {pct(times, 95):.1f} ms (7 runs);"
          f" proposals {len(found)}")  # fmt: skip
    print(f"  typo'd mentions found: {sum(h is not None for h in hit) / len(hit):.3f}; linked to the very"
          f" entity: {same / len(hit):.3f}")  # fmt: skip
    return text


def scores(gold: set[tuple[int, int]], found: set[tuple[int, int]]) -> str:
    tp = len(gold & found)
    precision = tp / len(found) if found else 0.0
    return f"recall {tp / len(gold):.3f}, precision {precision:.3f} ({len(found)} proposed)"


def bench_seed(kb: KnowledgeBase, article: str, min_population: int) -> None:
    record = json.loads(GOLD.read_text(encoding="utf-8"))
    text = record["text"]
    gold = {(s["start"], s["end"]) for s in record["spans"] if s["label"] == "PLACE"}
    times = []
    for _ in range(7):
        started = time.perf_counter()
        ours = propose(text, kb)
        times.append((time.perf_counter() - started) * 1000)
    print(f"\nseed article ({len(text.split())} words) against the gold ({len(gold)} PLACE mentions)")
    print(
        f"  annotator suggest, full gazetteer: {statistics.median(times):.1f} ms;"
        f" {scores(gold, {(c.start, c.end) for c in ours if c.label == 'PLACE'})}"
    )
    try:
        import spacy
        from spacy.matcher import PhraseMatcher
        from spacy.util import filter_spans
    except ImportError:
        print("  spaCy is not installed: pip install -e '.[bench]' for the comparison")
        return
    index = kb.index
    assert index is not None
    names = sorted(
        {
            name
            for e in range(len(index.entry_name))
            if index.entry_prominence[e] >= min_population and index.entry_label_name(e) == "PLACE"
            for name in index.entry_names[e].split("\x1e")
        }
    )
    nlp = spacy.blank("en")
    started = time.perf_counter()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("PLACE", list(nlp.tokenizer.pipe(names)))
    built = time.perf_counter() - started
    times = []
    for _ in range(7):
        started = time.perf_counter()
        doc = nlp(text)
        spans = filter_spans([doc[s:e] for _, s, e in matcher(doc)])
        times.append((time.perf_counter() - started) * 1000)
    found = {(s.start_char, s.end_char) for s in spans}
    started = time.perf_counter()
    big = nlp(article)
    matcher(big)
    article_ms = (time.perf_counter() - started) * 1000
    print(
        f"  spaCy PhraseMatcher (LOWER), {len(names):,} names of places of {min_population:,}+ people,"
        f" built in {built:.1f} s: {statistics.median(times):.1f} ms; {scores(gold, found)}"
    )
    print(f"  spaCy PhraseMatcher on the 5,000-word article: {article_ms:.1f} ms (exact only: typo recall 0)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, help="a database that already holds the gazetteer")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--spacy-min-population", type=int, default=15_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "bench.db"
            prepare(db)
        with Store(db) as store:
            kb = load(store)
        rng = random.Random(42)
        queries = bench_queries(kb, rng, args.queries)
        bench_load(db, queries)
        article = bench_article(kb, rng)
        bench_seed(kb, article, args.spacy_min_population)


if __name__ == "__main__":
    main()
