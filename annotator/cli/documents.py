"""Getting articles in and seeing what is there: import, init (the settings file) and stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from annotator.cli.context import Context
from annotator.cli.options import FormatChoice, layer_name
from annotator.cli.output import LateProgress, console, duration, echo, echo_json, table
from annotator.wording import counted


def _import_formats() -> list[str]:
    from annotator.importing import format_choices

    return format_choices()


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(_import_formats),
    default="auto",
    show_default=True,
    help="How to read the files; auto goes by the file name and, for JSON Lines, the first record.",
)
@click.option(
    "--as",
    "layer",
    callback=layer_name,
    help="Store the spans found in this layer (default: the record's annotator, else --user).",
)
@click.pass_obj
def import_(obj: Context, paths: tuple[Path, ...], fmt: str, layer: str | None) -> None:
    """Import articles from files or folders: txt (one document per file), jsonl, doccano, conll, brat,
    spacy (a DocBin .spacy file; jsonl also reads spaCy's Doc.to_json() lines).

    CoNLL tags may be IOB1, IOB2, BILOU or BIOES (an I- after O starts an entity, as in IOB1); the text is
    rebuilt with a space between tokens and a line break between sentences. brat reads .txt + .ann pairs.

    Each import is all or nothing: on bad input nothing is written. Texts already in the database are
    skipped, so importing the same files twice adds nothing.
    """
    from annotator.importing import find_files, import_files

    files = find_files(list(paths), fmt)
    progress = LateProgress(sum(p.stat().st_size for p, _ in files), "importing")
    try:
        with obj.new_or_existing_store() as store:
            result = import_files(
                store, files, default_layer=obj.user, who=obj.user, layer_override=layer, progress=progress
            )
    finally:
        progress.close()
    echo(
        f"imported {counted(result.documents_added, 'document')} and {counted(result.spans_added, 'span')}"
        f" from {counted(len(files), 'file')}; {result.documents_present} already present"
        + (
            f"; {counted(result.renamed_keys, 'key')} taken, suffixed with a hash"
            if result.renamed_keys
            else ""
        )
    )


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    default=Path("annotator.toml"),
    show_default=True,
    help="Where to write the settings.",
)
@click.option("--force", is_flag=True, help="Replace a settings file that is already there.")
def init(out: Path, force: bool) -> None:
    """Write a commented annotator.toml: every setting (the keys of each action) at its default."""
    from annotator.config import write_default_config
    from annotator.keymap import key_actions

    write_default_config(out, key_actions(), force)
    echo(f"wrote {out}: uncomment a line to change a key", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--daily",
    is_flag=True,
    help="Per annotator and day: documents done, spans per label (bars), time and keys per span.",
)
@click.pass_obj
def stats(obj: Context, as_json: bool, daily: bool) -> None:
    """Documents, spans per label and layer, progress and time spent per annotator; and per annotator,
    over the documents worked on in the annotation screen, seconds and keys per span and the share of
    spans accepted from proposals."""
    with obj.store() as store:
        data = store.progress.daily() if daily else store.progress.stats()
    if daily and not as_json:
        from annotator.daily_chart import DailyChart

        shown = console()
        for layer, days in data.items():
            shown.print(DailyChart(layer, days))
        if not data:
            echo("nothing done yet: no document marked done, no span, no time counted")
        return
    if as_json:
        import json

        echo_json(json.dumps(data, indent=2, ensure_ascii=False))
        return
    shown = console()
    shown.print(_stats_table(data))
    effort = _effort_table(data)
    if effort is not None:
        shown.print(effort)


def _effort_table(data: dict[str, Any]) -> Any:
    """Per annotator, over the documents they worked on in the annotation screen: time and keys per
    span, and the share of spans accepted from proposals; None when nobody has."""
    rows = [(name, layer["effort"]) for name, layer in data["layers"].items() if layer.get("effort")]
    if not rows:
        return None
    effort = table(
        "effort in the annotation screen (k: keys; share: spans taken from proposals)", title_justify="left"
    )
    # by hand: spans tagged by hand; taken: accepted from proposals or suggestions; share: taken / all
    for column in ("layer", "docs", "time", "keys", "by hand", "taken", "s/span", "k/span", "share"):
        effort.add_column(column, justify="left" if column == "layer" else "right")

    def per_span(value: float | None, digits: int) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    for name, e in rows:
        share = "-" if e["accepted_share"] is None else f"{e['accepted_share']:.0%}"
        effort.add_row(
            name, str(e["documents"]), duration(e["seconds"]), str(e["keys"]), str(e["spans_by_hand"]),
            str(e["spans_accepted"]), per_span(e["seconds_per_span"], 1), per_span(e["keys_per_span"], 1),
            share,
        )  # fmt: skip
    return effort


def _stats_table(data: dict[str, Any]) -> Any:
    """The Rich table of ``store.progress.stats()``: a row per layer, a column per label."""
    labels = list(data["labels"])
    shown = table(f"{data['documents']} documents, {data['spans']} spans", title_justify="left")
    shown.add_column("layer")
    for label in labels:
        shown.add_column(label, justify="right")
    shown.add_column("spans", justify="right")
    shown.add_column("done", justify="right")
    shown.add_column("in progress", justify="right")
    shown.add_column("time", justify="right")
    for name, layer in data["layers"].items():
        shown.add_row(
            name,
            *(str(layer["labels"].get(label, 0)) for label in labels),
            str(layer["spans"]),
            f"{layer['documents_done']} ({layer['progress']:.0%})",
            str(layer["documents_in_progress"]),
            duration(layer["seconds"]),
        )
    return shown
