"""Build the word-sense lexicon the proposal model reads (``annotator/tagger/data/supersenses.tsv.gz``)
from WordNet 3.0 as Debian ships it (``apt-get install wordnet-base``: ``/usr/share/wordnet``).

Each one-word noun lemma with its WordNet lexicographer file ("supersense": ``act``, ``event``,
``person``, ``location``, ...) of its most frequent sense, and the set of those of its first three senses:

    lemma <TAB> first <TAB> first-three (comma-separated)

    .venv/bin/python bench/lexicon.py [--wordnet /usr/share/wordnet]

WordNet 3.0 Copyright 2006 by Princeton University (the WordNet 3.0 licence; kept with the file in
``annotator/tagger/data/ATTRIBUTION.md``).
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

NOUN_FILES = [
    "Tops", "act", "animal", "artifact", "attribute", "body", "cognition", "communication", "event",
    "feeling", "food", "group", "location", "motive", "object", "person", "phenomenon", "plant",
    "possession", "process", "quantity", "relation", "shape", "state", "substance", "time",
]  # fmt: skip
"""The noun lexicographer files, numbered 3 to 28 in WordNet's lexnames."""
OUT = Path(__file__).resolve().parent.parent / "annotator" / "tagger" / "data" / "supersenses.tsv.gz"


def build(wordnet: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    lexfile: dict[int, str] = {}
    with (wordnet / "data.noun").open("rb") as data:
        for line in data:
            if line.startswith(b"  "):
                continue
            offset, number = line.split(b" ", 2)[:2]
            lexfile[int(offset)] = NOUN_FILES[int(number) - 3]
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in (wordnet / "index.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        lemma = parts[0]
        if "_" in lemma:
            continue
        pointers = int(parts[3])
        senses = [lexfile[int(o)] for o in parts[6 + pointers :]]
        out[lemma] = (senses[0], tuple(dict.fromkeys(senses[:3])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    args = parser.parse_args()
    lexicon = build(args.wordnet)
    text = "".join(f"{w}\t{first}\t{','.join(top)}\n" for w, (first, top) in sorted(lexicon.items()))
    OUT.write_bytes(gzip.compress(text.encode(), 9, mtime=0))
    print(f"{len(lexicon):,} lemmas -> {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
