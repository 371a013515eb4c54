"""The starter model shipped in the package: a CRF trained on the GUM dev corpus (22 Wikinews and
Wikivoyage documents, ``data/ATTRIBUTION.md`` says whose), used for a user who has no model of their own
yet. Their own model replaces it once it beats it on their held-out documents.

Built by :func:`annotator.training.build_starter` (``bench/model.py --build-starter``), with the
gazetteer's proposals as features: the GeoNames gazetteer of ``kb add-geonames``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

MODEL_FILE = "starter.crf"
"""Trained with the gazetteer's and learned strings' hints: for a project whose KB has the gazetteer."""
PLAIN_MODEL_FILE = "starter-plain.crf"
"""Trained without hints: for a project with no KB (a model trained with the gazetteer's hints leans on
them and finds few places without)."""
META_FILE = "starter.json"


def starter_bytes(with_kb: bool = True) -> bytes:
    """The starter model for a project with a KB index (``with_kb``) or without one."""
    name = MODEL_FILE if with_kb else PLAIN_MODEL_FILE
    return resources.files("annotator.tagger").joinpath("data", name).read_bytes()


def starter_meta() -> dict[str, Any]:
    text = resources.files("annotator.tagger").joinpath("data", META_FILE).read_text(encoding="utf-8")
    meta: dict[str, Any] = json.loads(text)
    return meta
