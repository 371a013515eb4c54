"""Where KB entries come from: files the user gives (CSV, TSV, JSON Lines) and the built-in GeoNames
gazetteer. Each source yields :class:`annotator.model.KbEntry` records for ``store.kb.add``."""

from annotator.kb.sources.files import read_kb_file
from annotator.kb.sources.geonames import geonames_entries

__all__ = ["geonames_entries", "read_kb_file"]
