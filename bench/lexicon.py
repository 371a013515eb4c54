"""Build the word-sense lexicon the proposal model reads (``annotator/tagger/data/supersenses.tsv.gz``)
from WordNet 3.0 as Debian ships it (``apt-get install wordnet-base``: ``/usr/share/wordnet``).

Each one-word noun lemma with its WordNet lexicographer file ("supersense": ``act``, ``event``,
``person``, ``location``, ...) of its most frequent sense, the set of those of its first three senses,
and the nearest classes above each of its first three senses (their hypernyms, or for a name what it is an
instance of: ``war`` is a ``military_action``, a ``group_action``, an ``act``; ``armenia`` an
``asian_country``, a ``country``...), up to :data:`HYPERNYMS` a sense, leaving out the most general
(fewer than :data:`MIN_DEPTH` classes below ``entity``), each named by its first lemma:

    lemma <TAB> first <TAB> first-three (comma-separated) <TAB> hypernyms (comma-separated, nearest first)

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
HYPERNYMS = 3
"""Classes above a sense kept: the nearest three (team folds of ``bench/model.py``, F1: 3 a sense of the
first three 0.63, 8 0.62, 3 of the first sense only 0.60; see docs/benchmarks.md)."""
SENSES = 3
"""The senses whose classes are kept: the first three, as for the supersenses."""
MIN_DEPTH = 4
"""A class this near ``entity`` (``act``, ``event``, ``object``, ``abstraction``...) says no more than the
supersense: left out."""
OUT = Path(__file__).resolve().parent.parent / "annotator" / "tagger" / "data" / "supersenses.tsv.gz"


Entry = tuple[str, tuple[str, ...], tuple[str, ...]]


def _synsets(wordnet: Path) -> tuple[dict[int, str], dict[int, str], dict[int, int]]:
    """Each noun synset's lexicographer file, first lemma (lower case) and first class above it (a
    hypernym, else what it is an instance of; -1 for ``entity``)."""
    lexfile: dict[int, str] = {}
    name: dict[int, str] = {}
    parent: dict[int, int] = {}
    with (wordnet / "data.noun").open(encoding="latin-1") as data:
        for line in data:
            if line.startswith("  "):
                continue
            fields = line.split(" | ", 1)[0].split()
            offset = int(fields[0])
            lexfile[offset] = NOUN_FILES[int(fields[1]) - 3]
            name[offset] = fields[4].lower()
            words = int(fields[3], 16)
            at = 4 + 2 * words
            pointers = int(fields[at])
            above = [
                (fields[at + 1 + 4 * k], int(fields[at + 2 + 4 * k]))
                for k in range(pointers)
                if fields[at + 1 + 4 * k] in ("@", "@i")
            ]
            hypernyms = [o for kind, o in above if kind == "@"] or [o for _, o in above]
            parent[offset] = hypernyms[0] if hypernyms else -1
    return lexfile, name, parent


def _classes(offset: int, name: dict[int, str], parent: dict[int, int]) -> tuple[str, ...]:
    chain = []
    at = parent[offset]
    while at != -1:
        chain.append(at)
        at = parent[at]
    # chain[-1] is entity: a class's depth is how many classes lie between it and entity, itself included.
    depths = range(len(chain) - 1, -1, -1)
    kept = [name[o] for depth, o in zip(depths, chain, strict=True) if depth >= MIN_DEPTH]
    return tuple(dict.fromkeys(kept))[:HYPERNYMS]


def build(wordnet: Path) -> dict[str, Entry]:
    lexfile, name, parent = _synsets(wordnet)
    out: dict[str, Entry] = {}
    for line in (wordnet / "index.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        lemma = parts[0]
        if "_" in lemma:
            continue
        pointers = int(parts[3])
        offsets = [int(o) for o in parts[6 + pointers :]]
        senses = [lexfile[o] for o in offsets]
        above = [c for o in offsets[:SENSES] for c in _classes(o, name, parent)]
        out[lemma] = (senses[0], tuple(dict.fromkeys(senses[:3])), tuple(dict.fromkeys(above)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    args = parser.parse_args()
    lexicon = build(args.wordnet)
    text = "".join(
        f"{w}\t{first}\t{','.join(top)}\t{','.join(above)}\n"
        for w, (first, top, above) in sorted(lexicon.items())
    )
    OUT.write_bytes(gzip.compress(text.encode(), 9, mtime=0))
    print(f"{len(lexicon):,} lemmas -> {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
