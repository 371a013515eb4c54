"""The large hostile cases, generated here rather than kept in git: a 10 MB article on one line and
100,000 tiny documents (with markup, escape sequences and bidi controls in their texts): import,
export, stats and the annotation screen's first frame with the big article.

    .venv/bin/python bench/hostile.py [--mb 10] [--documents 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HOSTILE = ["[/]", "[link=https://x]y[/link]", "\x1b]0;pwned\x07", "\x9b31m", "\u202e", "東京", "👩\u200d🔬"]
WORDS = [
    "Troops",
    "left",
    "Gubadli",
    "for",
    "Baku",
    "after",
    "talks",
    "in",
    "Stepanakert",
    "with",
    "the",
    "monitors",
]


def cli(db: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "--user", "alice", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stderr}")
    return seconds


def first_frame(db: Path) -> tuple[float, float]:
    """Seconds to the first frame with the big article, and peak RSS in MB, in a fresh process."""
    script = f"""
import asyncio, resource, time
from annotator.store import Store
from annotator.tui.app import make_app
started = time.perf_counter()
async def main():
    app = make_app(Store({str(db)!r}), "alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    seconds, mb = out.stdout.split()
    return float(seconds), float(mb)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--documents", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        big = root / "big.jsonl"
        words = []
        size = 0
        n = 0
        while size < args.mb * 1_000_000:
            word = HOSTILE[n % len(HOSTILE)] if n % 97 == 0 else WORDS[n % len(WORDS)]
            words.append(word)
            size += len(word.encode()) + 1
            n += 1
        big.write_text(json.dumps({"text": " ".join(words), "id": "big"}, ensure_ascii=False) + "\n", "utf-8")
        tiny = root / "tiny.jsonl"
        with tiny.open("w", encoding="utf-8") as stream:
            for i in range(args.documents):
                word = WORDS[i % len(WORDS)]
                text = f"{word} {HOSTILE[i % len(HOSTILE)]} {i}"
                spans = [{"start": 0, "end": len(word), "label": "PLACE"}]
                stream.write(
                    json.dumps({"text": text, "id": f"t{i}", "spans": spans}, ensure_ascii=False) + "\n"
                )
        one = root / "one.db"
        many = root / "many.db"
        print(f"import, one {args.mb} MB one-line article: {cli(one, 'import', str(big)):.2f} s")
        print(f"import, {args.documents:,} tiny documents: {cli(many, 'import', str(tiny)):.2f} s")
        out = root / "out"
        for fmt in ("jsonl", "conll", "brat"):
            seconds = cli(many, "export", "--format", fmt, "--all", "--out", str(out / fmt))
            print(f"export {fmt}, {args.documents:,} tiny documents: {seconds:.2f} s")
        print(f"stats, {args.documents:,} tiny documents: {cli(many, 'stats'):.2f} s")
        seconds, mb = first_frame(one)
        print(
            f"annotation screen, first frame with the {args.mb} MB article: {seconds:.2f} s, {mb:.0f} MB peak"
        )
        print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
