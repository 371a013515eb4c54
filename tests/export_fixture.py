"""The documents the export's golden files are made from: the seed article and texts built to break exports.

Spans are given by the text they cover (and which occurrence), so that the fixture reads as what it tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import SEED

MIXED = (
    "Émile met 李明 in 東京 🇫🇷 and 👩\u200d👩\u200d👧 today. Paris\u00a0Saint-Germain won’t lose; "
    "Paris Lyon Marseille were named.\nThe Paris Peace Conference"
)
OFF_GRID = "Troops left Gubadli in Nagorno-Karabakh.\nMinsk\nGroup met  at  dawn."


def _span(text: str, piece: str, label: str, nth: int = 0, kb_id: str | None = None) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    span: dict[str, Any] = {"start": start, "end": start + len(piece), "label": label}
    if kb_id is not None:
        span["kb_id"] = kb_id
    return span


def records() -> list[dict[str, Any]]:
    seed = SEED.read_text(encoding="utf-8")
    return [
        {
            "id": "seed",
            "meta": {"source": "seeds/000_874653b030f5b32a.txt"},
            "text": seed,
            "spans": [
                _span(seed, "Armenia", "PLACE"),  # at the very start
                _span(seed, "Nagorno-Karabakh forces", "ACTOR"),
                _span(seed, "Nagorno-Karabakh", "PLACE"),  # nested in the ACTOR
                _span(seed, "ceasefire", "EVENT", 2),
                _span(seed, "killed", "EVENT"),  # followed by ’
                _span(seed, "Arthur Hansen", "ACTOR"),
                _span(seed, "Armenian Defense Ministry", "ACTOR"),
                _span(seed, "Gubadli", "PLACE", kb_id="geonames:148565"),
                _span(seed, "Mike Pompeo", "ACTOR", kb_id="Q473239"),
                _span(seed, "Washington", "PLACE"),
                _span(seed, "Comment", "EVENT"),  # at the very end
            ],
        },
        {
            "id": "mixed",
            "text": MIXED,
            "spans": [
                _span(MIXED, "Émile", "ACTOR"),  # at the very start
                _span(MIXED, "李明", "ACTOR"),
                _span(MIXED, "東京", "PLACE"),
                _span(MIXED, "🇫🇷", "PLACE"),
                _span(MIXED, "👩\u200d👩\u200d👧", "ACTOR"),
                _span(MIXED, "Paris\u00a0Saint-Germain", "ACTOR"),  # across a no-break space
                _span(MIXED, "Paris", "PLACE", 1),  # three adjacent PLACEs
                _span(MIXED, "Lyon", "PLACE"),
                _span(MIXED, "Marseille", "PLACE"),
                _span(MIXED, "Paris Peace Conference", "EVENT"),  # at the very end
                _span(MIXED, "Paris", "PLACE", 2),  # nested in the EVENT
            ],
        },
        {
            "id": "off grid/1",  # a key that is no file name
            "text": OFF_GRID,
            "spans": [
                _span(OFF_GRID, "ubadl", "EVENT"),  # inside a token: widened in CoNLL
                _span(OFF_GRID, "Nagorno-Karabakh", "PLACE"),
                _span(OFF_GRID, "Nagorno", "ACTOR"),  # widened, then overlaps the PLACE: dropped
                _span(OFF_GRID, "Minsk\nGroup", "ACTOR", kb_id="Q1"),  # across a line break
                _span(OFF_GRID, " ", "EVENT", 6),  # whitespace only: no token in CoNLL
                _span(OFF_GRID, "at  dawn", "EVENT"),
            ],
        },
        {"id": "empty", "text": "Nothing to see here.", "spans": []},
    ]


def write(path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records()), encoding="utf-8")
    return path
