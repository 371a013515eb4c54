"""Tokenizer throughput and the start-up time of the command line.

.venv/bin/python bench/tokenizer.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from annotator.text import sentences, tokenize
from bench.corpus import SEED, articles


def timed(fn, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    seed = SEED.read_text(encoding="utf-8")
    texts = {
        "seed article x2000": seed * 2000,
        "synthetic articles": "\n\n".join(articles(2000)),
        "mixed scripts": ("Президент 東京都 👩‍🔬 café\u0301 naïve US-backed 3,000 " * 40000),
    }
    for name, text in texts.items():
        seconds = timed(lambda text=text: tokenize(text))
        tokens = tokenize(text)
        sent = timed(lambda text=text, tokens=tokens: sentences(text, tokens), repeat=3)
        print(
            f"{name:20s} {len(text) / 1e6:5.1f} M chars  tokenize {len(text) / seconds / 1e6:5.2f} M chars/s"
            f"  ({len(tokens) / seconds / 1e6:.2f} M tokens/s)"
            f"  sentences {len(text) / sent / 1e6:5.2f} M chars/s"
        )
    help_runs, bare_runs = [], []
    for _ in range(10):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "annotator", "--help"], check=True, capture_output=True)
        help_runs.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        bare_runs.append(time.perf_counter() - t)
    print(
        f"annotator --help: median {statistics.median(help_runs) * 1000:.0f} ms"
        f" (bare python: {statistics.median(bare_runs) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
