"""``annotator export``: training data in any format the registry writes."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.context import Context
from annotator.cli.options import FormatChoice, layer_name
from annotator.cli.output import LateProgress
from annotator.errors import AnnotatorError


def _export_formats() -> list[str]:
    from annotator import formats

    return formats.writer_names()


def _parse_split(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        fractions = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("expected fractions separated by commas, like 0.8,0.1,0.1") from None
    if not 2 <= len(fractions) <= 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise click.BadParameter("two or three fractions (train, dev[, test]) that add up to 1")
    return fractions


def _check_options(
    fmt: str, scheme: str | None, columns: str | None, out: Path | None, split: tuple[float, ...] | None
) -> None:
    """Refuse options that do not go together, before the database is opened."""
    if fmt != "conll" and (scheme or columns):
        raise click.UsageError("--scheme and --columns apply to --format conll only")
    from annotator import formats

    if out is not None and str(out) == "-" and (formats.get(fmt).writes_folder or split):
        raise click.UsageError("brat and --split write a folder, not standard output; give --out FOLDER")
    if split is None and click.get_current_context().get_parameter_source("seed") != _DEFAULT:
        raise click.UsageError("--seed shuffles the documents for --split; give --split too")


_DEFAULT = click.core.ParameterSource.DEFAULT


@click.command()
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(_export_formats),
    required=True,
    help="What to write.",
)
@click.option(
    "--layer",
    callback=layer_name,
    help="The layer to export.  [default: gold where it has spans, else --user]",
)
@click.option("--scheme", type=click.Choice(["iob2", "bilou"]), help="CoNLL tags.  [default: iob2]")
@click.option(
    "--columns", type=click.Choice(["2", "4"]), help="CoNLL: TOKEN TAG, or TOKEN _ _ TAG.  [default: 2]"
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, allow_dash=True),
    help="A file (- for stdout), or a folder for brat and --split.  [default: in exports/, named by layer"
    " and format]",
)
@click.option(
    "--split",
    callback=_parse_split,
    metavar="TRAIN,DEV[,TEST]",
    help="Split by document into train/dev/test files, e.g. 0.8,0.1,0.1.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Shuffles the documents for --split.")
@click.option(
    "--done-only/--all",
    "done_only",
    default=None,
    help="Only documents marked done in the layer, or all.  [default: done only for an annotator's layer;"
    " for gold, the documents review has worked on]",
)
@click.option("--verbose", "-v", is_flag=True, help="List every span widened or dropped on stderr.")
@click.pass_obj
def export(
    obj: Context,
    fmt: str,
    layer: str | None,
    scheme: str | None,
    columns: str | None,
    out: Path | None,
    split: tuple[float, ...] | None,
    seed: int,
    done_only: bool | None,
    verbose: bool,
) -> None:
    """Write training data: CoNLL, Prodigy/spaCy JSONL, doccano JSONL, brat or a spaCy DocBin.

    CoNLL cannot hold overlapping spans or spans off token boundaries: a span is widened to whole
    tokens, and of overlapping spans the longest is kept; the counts go to stderr (--verbose: each
    span); spaCy's converter finds documents in --columns 4 only. JSONL, doccano and brat keep every
    span as it is; spacy (.spacy, for spacy train) has CoNLL's entities as doc.ents and every span in the
    span group sc. Documents stream one at a time (a DocBin is written whole at the end).

    An export replaces the previous one: --split removes the train/dev/test files of the format (brat:
    folders) it does not write; brat removes the .txt/.ann files and annotation.conf in its folder, and
    refuses a folder holding anything else. A device, FIFO or symbolic link given to --out is written
    through; a regular file is replaced only once the export is complete.
    """
    _check_options(fmt, scheme, columns, out, split)
    if not obj.db_path.exists():
        raise AnnotatorError("no such database; import articles first ('annotator import PATH')", obj.db_path)
    from annotator.export import ExportRequest
    from annotator.export import export as run_export

    request = ExportRequest(
        fmt=fmt,
        user=obj.user,
        layer=layer,
        scheme=scheme or "iob2",
        columns=int(columns or 2),
        out=out,
        split=split,
        seed=seed,
        which=None if done_only is None else "done" if done_only else "all",
    )
    progress = LateProgress(0, "exporting")
    try:
        with obj.store() as store:
            notes = (lambda line: click.echo(line, err=True)) if verbose else None
            summary = run_export(store, request, progress.advance, notes)
    finally:
        progress.close()
    click.echo(summary.describe(verbose), err=True)
