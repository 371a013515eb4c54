"""Exports: ``plan`` (which layer and documents, the split, where the files go), ``run`` (documents
streamed to the format's writer, the summary), ``sinks`` (files, standard output, brat folders) and
``tokens`` (the token cache). The formats themselves are pure functions in ``annotator.formats``."""

from annotator.export.plan import ExportRequest
from annotator.export.run import ExportSummary, export

__all__ = ["ExportRequest", "ExportSummary", "export"]
