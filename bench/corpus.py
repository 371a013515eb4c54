"""Synthetic news-like articles built from the seed article's words, for benchmarks."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_874653b030f5b32a.txt"


def vocabulary() -> list[str]:
    return SEED.read_text(encoding="utf-8").split()


def article(rng: random.Random, words: list[str], chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        out.append(sentence)
        size += len(sentence) + 1
        if rng.random() < 0.2:
            out.append("\n\n")
    return " ".join(out)[:chars]


def articles(n: int, chars: int = 3000, seed: int = 1) -> Iterator[str]:
    rng = random.Random(seed)
    words = vocabulary()
    for _ in range(n):
        yield article(rng, words, chars)


def write_jsonl(path: Path, n: int, chars: int = 3000) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, text in enumerate(articles(n, chars)):
            out.write(json.dumps({"id": f"a{i}", "text": text, "meta": {"n": i}}, ensure_ascii=False) + "\n")
    return path
