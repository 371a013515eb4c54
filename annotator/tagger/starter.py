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
META_FILE = "starter.json"


def starter_bytes() -> bytes:
    return resources.files("annotator.tagger").joinpath("data", MODEL_FILE).read_bytes()


def starter_meta() -> dict[str, Any]:
    text = resources.files("annotator.tagger").joinpath("data", META_FILE).read_text(encoding="utf-8")
    meta: dict[str, Any] = json.loads(text)
    return meta
