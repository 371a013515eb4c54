"""The knowledge base: entity names behind fuzzy suggestions, and what earlier annotations teach.

- :mod:`annotator.kb.names`: :func:`normalize` (the key a name is looked up under) and key hashing;
- :mod:`annotator.kb.fuzzy`: :class:`FuzzyIndex` over the KB's keys, kept in ``<db>.kbindex/``;
- :mod:`annotator.kb.learned`: :class:`Learned`, the texts saved spans gave a label and KB id;
- :mod:`annotator.kb.sources`: entries from CSV/TSV/JSON Lines files and the GeoNames gazetteer.

Nothing here opens the database (nor imports the store, or textual): a :class:`KnowledgeBase` is made
from plain data, read by :meth:`KnowledgeBase.load` through what :class:`KbTables` names, which
``Store.kb`` has. The loaded index is read-only, so searches may run in any thread::

    with Store(db_path) as store:                  # in the TUI: a connection of the loading thread's own
        layers = learning_layers("alice", store.layers.kinds())  # alice's own layer and gold
        kb = KnowledgeBase.load(store.kb, layers=layers)  # the kept index, or built (and kept) when changed
    kb.search("Gubadli", label=None, limit=10)     # -> list[Suggestion], best first (~1-2 ms)
    kb.learn("Gubadli", "PLACE", "geonames:147305")  # after saving a span: that text ranks first now

:class:`Suggestion` carries ``name`` (the entry's canonical name), ``text`` (the name or alias that
matched), ``label``, ``score`` (0-100), ``kb_id``, ``description`` (``Azerbaijan, population 6,890``),
``learned`` (how many saved spans taught it; 0 for KB-only results) and ``prominence``.
``Suggestion.to_json()`` is the shape of ``kb search --json``. Earlier annotations rank above KB entries
of the same score. Proposing spans for a whole document is :mod:`annotator.suggest`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Protocol

from annotator.kb.fuzzy import (
    FUZZY_MIN_LENGTH,
    MIN_SCORE,
    BuildSteps,
    FuzzyIndex,
    Suggestion,
    index_folder,
    open_or_build,
)
from annotator.kb.learned import Learned, LearnedName, learning_layers
from annotator.kb.names import deletion_hashes, key_hashes, normalize, trigram_codes
from annotator.model import KbRow, LearnedMention

__all__ = [
    "FUZZY_MIN_LENGTH",
    "MIN_SCORE",
    "BuildSteps",
    "FuzzyIndex",
    "KbRow",
    "KbTables",
    "KnowledgeBase",
    "Learned",
    "LearnedMention",
    "LearnedName",
    "Suggestion",
    "deletion_hashes",
    "index_folder",
    "key_hashes",
    "learning_layers",
    "normalize",
    "trigram_codes",
]


class KbTables(Protocol):
    """What a knowledge base is read from: the database's KB tables (``Store.kb`` is one)."""

    @property
    def path(self) -> Path:
        """The database file; its index is kept beside it (:func:`index_folder`)."""
        ...

    def version(self) -> str | None:
        """Changes with every KB write; None while the KB has never been written."""
        ...

    def rows(self) -> Iterable[KbRow]:
        """Every entry (lazily: read only when the index is rebuilt)."""
        ...

    def count(self) -> int:
        """How many entries :meth:`rows` gives."""
        ...

    def learned_mentions(self, layers: Collection[str] | None = None) -> Iterable[LearnedMention]:
        """What the spans of ``layers`` (every layer when None) teach."""
        ...


class KnowledgeBase:
    """The fuzzy index plus what earlier annotations teach; see the module docstring for the API."""

    def __init__(self, index: FuzzyIndex | None, learned: Learned) -> None:
        self.index = index
        self.learned = learned

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        version: str | None,
        rows: Iterable[KbRow],
        mentions: Iterable[LearnedMention],
        progress: Callable[[str], None] | None = None,
        steps: BuildSteps | None = None,
        total: int = 0,
    ) -> KnowledgeBase:
        """The index kept in ``folder``, or one built from ``rows`` (and kept) when it was built for another
        KB ``version``; no index when ``version`` is None (the KB was never written)."""
        learned = Learned(mentions)
        if version is None:
            return cls(None, learned)
        return cls(open_or_build(folder, version, rows, progress, steps, total), learned)

    @classmethod
    def load(
        cls,
        tables: KbTables,
        progress: Callable[[str], None] | None = None,
        layers: Collection[str] | None = None,
        steps: BuildSteps | None = None,
    ) -> KnowledgeBase:
        """The knowledge base of a database: :meth:`open` on its index folder with its KB tables' version,
        entries and what the spans of ``layers`` teach (an annotator's :func:`learning_layers`; every
        layer when None). ``progress`` hears that an index build starts, ``steps`` how far it is."""
        return cls.open(
            index_folder(tables.path),
            version=tables.version(),
            rows=tables.rows(),
            mentions=tables.learned_mentions(layers),
            progress=progress,
            steps=steps,
            total=tables.count() if steps is not None else 0,
        )

    def learn(self, text: str, label: str, kb_id: str | None, count: int = 1) -> None:
        """Count a span just saved, so the same text suggests it first without reloading; ``count`` -1
        takes back one removed or undone, so only spans that exist teach."""
        self.learned.add(text, label, kb_id, count)

    def search(self, query: str, label: str | None = None, limit: int = 10) -> list[Suggestion]:
        """Earlier annotations and KB entries close to ``query``, best first; a learned text ranks above
        gazetteer entries of the same score."""
        key = normalize(query)
        results: list[Suggestion] = []
        for learned_key, score in self.learned.search(key, limit):
            for name in self.learned.by_key[learned_key]:
                if label is not None and name.label != label:
                    continue
                results.append(self.learned_suggestion(name, score))
        if self.index is not None:
            taught = {(s.kb_id, s.label) for s in results if s.kb_id}
            found = self.index.search(query, label, limit + len(taught))
            results.extend(s for s in found if (s.kb_id, s.label) not in taught)
        results.sort(key=lambda s: (-s.score, -s.learned, -s.prominence))
        return results[:limit]

    def learned_suggestion(self, name: LearnedName, score: float) -> Suggestion:
        entry = None
        if self.index is not None and name.kb_id:
            entry = self.index.entry_by_kb_id(name.kb_id, name.label)
        if entry is None:
            return Suggestion(name.text, name.text, name.label, score, name.kb_id, None, name.count)
        assert self.index is not None
        return Suggestion(
            name=self.index.entry_name[entry],
            text=name.text,
            label=name.label,
            score=score,
            kb_id=name.kb_id,
            description=self.index.entry_description[entry] or None,
            learned=name.count,
            prominence=float(self.index.entry_prominence[entry]),
        )
