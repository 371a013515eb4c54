"""What saved spans teach: the texts annotators tagged, with the labels and KB ids they gave them.

Built from ``(text, label, kb_id, count)`` mentions over the documents of an annotator's learning
sources (:func:`learning_layers`), and kept equal to the spans that exist now as they are saved,
removed, relabelled, undone or redone (:meth:`Learned.add` with a negative count takes one back), so
the same text is suggested with the same label at once, without reloading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from annotator.kb.fuzzy import MIN_SCORE
from annotator.kb.names import normalize
from annotator.model import GOLD, LearnedMention

ANNOTATOR_KIND = "annotator"


def learning_layers(layer: str, kinds: Mapping[str, str], from_other_annotators: bool = False) -> list[str]:
    """The layers whose spans may teach ``layer``'s suggestions, proposals and model: its own and
    ``gold``, and every other annotator layer only when the project says so (``[learning]
    from_other_annotators`` in annotator.toml; off, double annotation stays blind). Gold itself (the
    review, which sees every layer's version anyway) learns from every annotator layer. ``kinds`` is
    every layer's kind (``store.layers.kinds()``): a layer of another kind (``conflict``, a version
    kept by merge) never teaches anyone but itself. Sorted, no duplicates."""
    sources = {layer, GOLD}
    if from_other_annotators or layer == GOLD:
        sources.update(name for name, kind in kinds.items() if kind == ANNOTATOR_KIND)
    return sorted(sources)


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
        """Count ``count`` more spans of ``text`` with this label and link; a negative count takes spans
        back (removed, undone), and a name no span teaches any more is forgotten."""
        key = normalize(text)
        if not key:
            return
        names = self.by_key.setdefault(key, [])
        for name in names:
            if name.label == label and name.kb_id == kb_id:
                name.count += count
                break
        else:
            if count > 0:
                names.append(LearnedName(text, label, kb_id, count))
        names[:] = [name for name in names if name.count > 0]
        if not names:
            del self.by_key[key]
            return
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
