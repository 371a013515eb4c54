"""What an export writes: which layer, which of its documents, how they split into parts, and where."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator import formats
from annotator.errors import AnnotatorError
from annotator.formats import Format, WriteOptions
from annotator.formats.names import file_stem
from annotator.model import GOLD
from annotator.store import Store

PART_NAMES = ("train", "dev", "test")
EXPORTS = Path("exports")
WHICH = {
    "done": "documents marked done",
    "worked": "documents in progress or done",
    "all": "all documents",
}


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    user: str
    layer: str | None = None
    scheme: str = "iob2"
    columns: int = 2
    out: Path | None = None  # None: a file or folder in exports/; Path("-"): standard output
    split: tuple[float, ...] | None = None
    seed: int = 0
    which: str | None = None  # "done", "worked" or "all"; None: by the layer's kind (see choose_documents)
    force: bool = False  # replace a file at --out that no export of this database wrote


@dataclass(frozen=True)
class ExportPlan:
    """An export worked out against the database: ``parts`` maps each document id to its part's index in
    ``names`` (None without a split, when ``names`` is one empty name); ``count`` is how many documents."""

    format: Format
    layer: str
    which: str
    options: WriteOptions
    count: int
    parts: dict[int, int] | None
    names: tuple[str, ...]
    out: Path


def plan_export(store: Store, request: ExportRequest) -> ExportPlan:
    """The plan for ``request``; no layer to export, or no documents in it, is an error."""
    fmt = formats.get(request.fmt)
    layer = choose_layer(store, request.layer, request.user)
    which = choose_documents(store, layer, request.which)
    fractions = request.split
    # The split needs every id (one small entry per document); otherwise a count is all it takes.
    ids = store.exports.document_ids(layer, which) if fractions else None
    count = len(ids) if ids is not None else store.exports.document_count(layer, which)
    if not count:
        hint = "" if which == "all" else "; --all exports every document"
        raise AnnotatorError(
            f"no documents to export: layer {layer!r} has no {WHICH[which]}{hint}", store.path
        )
    parts = assign_parts(ids, fractions, request.seed) if ids is not None and fractions else None
    names = PART_NAMES[: len(fractions)] if fractions else ("",)
    options = WriteOptions(layer, request.scheme, request.columns)
    out = request.out or default_out(fmt, layer, options, fractions is not None)
    return ExportPlan(fmt, layer, which, options, count, parts, names, out)


def choose_layer(store: Store, layer: str | None, user: str) -> str:
    """The layer asked for, else ``gold`` when it has spans, else the user's; it must exist."""
    chosen = layer or (GOLD if store.layers.has_spans(GOLD) else user)
    if chosen not in store.layers.names():
        known = ", ".join(store.layers.names()) or "none yet"
        hint = "" if layer else f" and layer {GOLD!r} has no spans"
        raise AnnotatorError(f"no layer {chosen!r}{hint} (layers: {known}); use --layer", store.path)
    return chosen


def choose_documents(store: Store, layer: str, which: str | None) -> str:
    """``done`` by default for an annotator's layer; for ``gold``, the documents review has worked on.

    A gold document that review has not touched has no spans, and written out it would teach a model that
    its names are no entities; a document review has started has had its spans adjudicated one by one.
    """
    if which is not None:
        return which
    return "worked" if store.layers.kind(layer) == GOLD else "done"


def default_out(fmt: Format, layer: str, options: WriteOptions, split: bool) -> Path:
    """``exports/LAYER.conll`` (``.bilou.conll``, ``.jsonl``, ``.doccano.jsonl``), or for a folder
    ``exports/LAYER-FORMAT`` (``-conll-bilou``)."""
    stem = file_stem(layer)
    variant = fmt.variant(options) if fmt.variant is not None else ""
    if split or fmt.writes_folder:
        return EXPORTS / (f"{stem}-{fmt.name}" + (f"-{variant}" if variant else ""))
    return EXPORTS / (stem + (f".{variant}" if variant else "") + fmt.file_suffix)


def assign_parts(ids: Sequence[int], fractions: Sequence[float], seed: int) -> dict[int, int]:
    """Each document id's part: the ids shuffled with ``seed``, then cut at the rounded fractions."""
    order = list(ids)
    random.Random(seed).shuffle(order)
    parts: dict[int, int] = {}
    done = 0
    total = 0.0
    for part, fraction in enumerate(fractions):
        total += fraction
        cut = len(order) if part == len(fractions) - 1 else round(total * len(order))
        parts.update(dict.fromkeys(order[done:cut], part))
        done = max(done, cut)
    return parts
