"""Where ``j`` stops on the dev corpus: from the start of each document to its end with nothing tagged,
how many of the names it selects start a gold span (``annotator.tui.jumps.name_from``), and the words
it stops at most that start none.

    .venv/bin/python bench/name_stops.py [--corpus ../shared/corpus/gum_dev.jsonl] [--worst 30]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH (against.sh)

from annotator.text import tokenize
from annotator.tui.jumps import name_from
from bench.model import CORPUS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--worst", type=int, default=30)
    args = parser.parse_args()
    stops = good = 0
    wrong: Counter[str] = Counter()
    for line in args.corpus.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        tokens = tokenize(text)
        inside = bytearray(len(text) + 1)
        for s in record["spans"]:
            inside[s["start"] : s["end"]] = b"\x01" * (s["end"] - s["start"])
        last = -1
        while (found := name_from(text, tokens, [], last, last, 1)) is not None:
            first, last = found
            stops += 1
            if inside[tokens[first][0]]:
                good += 1
            else:
                wrong[text[tokens[first][0] : tokens[last][1]]] += 1
    print(f"j's stops: {stops}, starting a gold span: {good} ({good / stops:.2f})")
    print("most often on no gold span:", ", ".join(f"{w} {n}" for w, n in wrong.most_common(args.worst)))


if __name__ == "__main__":
    main()
