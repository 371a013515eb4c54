"""What saved spans teach: the texts annotators tagged, with the labels and KB ids they gave them.

Built from ``(text, label, kb_id, count)`` mentions over every layer and document, and grown as spans are
saved, so the same text is suggested with the same label at once, without reloading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from annotator.kb.fuzzy import MIN_SCORE
from annotator.kb.names import normalize
from annotator.model import LearnedMention


@dataclass
class LearnedName:
    text: str
    label: str
    kb_id: str | None
    count: int


class Learned:
    """What saved spans teach: for each key, the labels and KB ids annotators gave that text."""

    def __init__(self, mentions: Iterable[LearnedMention] = ()) -> None:
        self.by_key: dict[str, list[LearnedName]] = {}
        for text, label, kb_id, count in mentions:
            self.add(text, label, kb_id, count)

    def add(self, text: str, label: str, kb_id: str | None, count: int = 1) -> None:
        key = normalize(text)
        if not key:
            return
        names = self.by_key.setdefault(key, [])
        for name in names:
            if name.label == label and name.kb_id == kb_id:
                name.count += count
                break
        else:
            names.append(LearnedName(text, label, kb_id, count))
        names.sort(key=lambda n: -n.count)

    def search(self, key: str, limit: int) -> list[tuple[str, float]]:
        if not self.by_key or not key:
            return []
        return [
            (choice, float(score))
            for choice, score, _ in process.extract(
                key, list(self.by_key), scorer=fuzz.ratio, limit=limit, score_cutoff=MIN_SCORE
            )
        ]
