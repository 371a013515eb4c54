"""Running an export: documents streamed from the store to the format's writer one at a time, so that
memory does not grow with the corpus (a split keeps one small entry per document id, nothing more), and
the summary and notes on spans the format could not hold as they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from annotator.export.files import Guard, database_files
from annotator.export.plan import WHICH, ExportPlan, ExportRequest, plan_export
from annotator.export.sinks import Sink, open_output
from annotator.export.tokens import export_document, fill_token_cache
from annotator.formats import ExportDocument, SpanNote, Writer, Written
from annotator.store import Store
from annotator.text import tokenizer_fingerprint
from annotator.wording import counted

Progress = Callable[[int, int], None]  # (documents just done, total)


@dataclass
class ExportSummary:
    layer: str
    which: str
    outputs: list[str]
    documents: int = 0
    spans: int = 0
    tokens: int = 0
    widened: int = 0
    dropped: int = 0
    per_part: dict[str, int] = field(default_factory=dict)

    def describe(self, verbose: bool = False) -> str:
        """The line printed on stderr after an export."""
        parts = f" ({', '.join(f'{k} {v}' for k, v in self.per_part.items())})" if self.per_part else ""
        tokens = f", {counted(self.tokens, 'token')}" if self.tokens else ""
        line = (
            f"exported {counted(self.documents, 'document')}{parts}, {counted(self.spans, 'span')}{tokens}"
            f" from layer {self.layer!r} ({WHICH[self.which]}) to {', '.join(self.outputs)}"
        )
        if self.widened or self.dropped:
            line += (
                f"; {counted(self.widened, 'span')} widened to whole tokens, "
                f"{counted(self.dropped, 'span')} dropped"
                " (overlapping: the longest kept; or holding no token)"
            )
            if not verbose:
                line += "; --verbose lists them"
        return line


def export(
    store: Store,
    request: ExportRequest,
    progress: Progress | None = None,
    notes: Callable[[str], None] | None = None,
) -> ExportSummary:
    """Write the export ``request`` asks for; ``notes`` hears every span not written as it is."""
    plan = plan_export(store, request)
    fmt = plan.format
    assert fmt.write is not None or fmt.collect is not None, f"{fmt.name} is not a format export writes"
    collect = fmt.collect  # made first: a collector that cannot start (no spaCy) leaves no file behind
    collectors = [collect(plan.options) for _ in plan.names] if collect is not None else None
    guard = Guard(database_files(store.path), request.force, store.exports.written, store.exports.remember)
    output = open_output(fmt, plan.out, plan.names, [label.name for label in store.labels.all()], guard)
    sinks = output.sinks
    summary = ExportSummary(plan.layer, plan.which, [s.name for s in sinks])
    if plan.parts is not None:
        summary.per_part = dict.fromkeys(plan.names, 0)
    total = plan.count * (2 if fmt.needs_tokens else 1)
    version = tokenizer_fingerprint()
    try:
        if fmt.needs_tokens:
            warmed = fill_token_cache(
                store, plan.layer, plan.which, version, lambda n: progress and progress(n, total)
            )
            if progress:
                progress(plan.count - warmed, total)
        for row in store.exports.rows(plan.layer, plan.which, version):
            doc = export_document(row, fmt.needs_tokens)
            part = plan.parts[row.doc_id] if plan.parts is not None else 0
            if collectors is not None:
                _count(doc, collectors[part].add(doc), summary, notes)
            else:
                assert fmt.write is not None
                _write(plan, fmt.write, doc, sinks[part], summary, notes)
            summary.documents += 1
            if plan.parts is not None:
                summary.per_part[plan.names[part]] += 1
            if progress:
                progress(1, total)
    except BaseException:
        output.abort()
        raise
    if collectors is not None:
        try:
            for sink, collector in zip(sinks, collectors, strict=True):
                sink.write_bytes(collector.finish())
        except BaseException:
            output.abort()
            raise
    output.commit()
    return summary


def _write(
    plan: ExportPlan,
    write: Writer,
    doc: ExportDocument,
    sink: Sink,
    summary: ExportSummary,
    notes: Callable[[str], None] | None,
) -> None:
    written = write(doc, plan.options)
    _count(doc, written, summary, notes)
    if plan.format.writes_folder:
        sink.write_pair(doc.key, doc.text, written.text)
    else:
        sink.write_text(written.text)


def _count(
    doc: ExportDocument, written: Written, summary: ExportSummary, notes: Callable[[str], None] | None
) -> None:
    """Add a written document's tokens, spans and notes to the summary; ``notes`` hears each note."""
    summary.tokens += len(doc.tokens)
    for note in written.notes:
        if note.kind == "widened":
            summary.widened += 1
        else:
            summary.dropped += 1
        if notes is not None:
            notes(describe_note(doc.key, doc.text, note))
    summary.spans += written.spans


def describe_note(key: str, text: str, note: SpanNote) -> str:
    span = note.span
    what = f"{key}: {span.label} {span.start}-{span.end} {_shown(text, span.start, span.end)}"
    if note.kind == "widened":
        return f"{what} widened to whole tokens: {note.start}-{note.end} {_shown(text, note.start, note.end)}"
    if note.kind == "empty":
        return f"{what} holds no token: dropped"
    kept = note.kept
    assert kept is not None
    return (
        f"{what} dropped: overlaps {kept.label} {kept.start}-{kept.end} "
        f"{_shown(text, kept.start, kept.end)}, which is kept"
    )


def _shown(text: str, start: int, end: int) -> str:
    piece = text[start:end]
    return repr(piece if len(piece) <= 60 else piece[:57] + "...")
