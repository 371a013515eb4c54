"""Working as a team: assign, agreement, disagreements, merge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from annotator.cli.context import Context, remove_database
from annotator.cli.output import console as literal_console
from annotator.cli.output import echo, echo_json, titled_table
from annotator.wording import counted

if TYPE_CHECKING:
    from annotator.agreement import AgreementReport, DocumentReview
    from annotator.model import MergeConflict, MergeResult


def _annotators(users_text: str, overlap: int) -> list[str]:
    """The --users names, checked against one another and --overlap."""
    users = [name.strip() for name in users_text.split(",")]
    if any(not name for name in users) or len(set(users)) != len(users):
        raise click.BadParameter(
            "give distinct, non-empty names: --users alice,bob,carol", param_hint="--users"
        )
    from annotator.model import GOLD

    if GOLD in users:
        raise click.BadParameter(f"{GOLD} is the reviewed layer, not an annotator", param_hint="--users")
    if overlap > len(users):
        raise click.BadParameter(f"at most the number of users ({len(users)})", param_hint="--overlap")
    return users


@click.command()
@click.option("--users", "users_text", required=True, help="Annotators, comma-separated: alice,bob,carol.")
@click.option(
    "--overlap",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many annotators get each document.",
)
@click.pass_obj
def assign(obj: Context, users_text: str, overlap: int) -> None:
    """Give every document to --overlap annotators, balanced (loads differ by at most one).

    Stable: running it again after adding documents or users keeps what was assigned, moving only what
    balance needs; documents someone has started on stay theirs. The annotation screen offers a user
    their assigned, unfinished documents first.
    """
    users = _annotators(users_text, overlap)
    from annotator.assignment import assign_documents

    with obj.store() as store:
        change = assign_documents(store, users, overlap)
    added, removed = change.added_and_removed()
    echo(
        f"assigned {counted(len(change.after), 'document')} to {overlap} of "
        f"{counted(len(users), 'annotator')}: "
        + ", ".join(f"{name} {count}" for name, count in change.loads().items())
        + f"; {counted(added, 'assignment')} added, {removed} removed"
    )


@click.command(name="agreement")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--worst",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Rows of the per-document table.",
)
@click.pass_obj
def agreement_(obj: Context, as_json: bool, worst: int) -> None:
    """Inter-annotator agreement over finished documents: pairwise F1 (exact and overlap), token kappa,
    Krippendorff's alpha, per-label F1, a label confusion table and the documents agreed on least.

    A document counts for a pair of annotators when both finished it; layer gold is not an annotator,
    nor a layer merge kept for review. When annotator.toml lets suggestions learn from other
    annotators' layers, a warning line on stderr says the annotation was not blind.
    """
    from annotator.agreement import agreement

    if obj.learn_from_other_annotators():
        echo(NOT_BLIND_WARNING, err=True)
    with obj.store() as store:
        labels = [label.name for label in store.labels.all()]
        report = agreement(store.teams.finished_documents(), labels)
    if as_json:
        import json

        echo_json(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    _print_agreement(report, worst)


NOT_BLIND_WARNING = (
    "warning: annotator.toml has [learning] from_other_annotators = true: each annotator's proposals "
    "learn from the other annotators' layers, so the annotation is not blind and agreement may be inflated"
)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _print_agreement(report: AgreementReport, worst: int) -> None:
    """The agreement report as tables: pairs, alpha, per label, label confusion, the worst documents."""
    console = literal_console()
    if not report.pairs:
        console.print(
            f"{counted(len(report.annotators), 'annotator')} with finished documents: agreement needs two."
        )
        return
    console.print(_pairs_table(report))
    console.print(f"alpha_token (Krippendorff, nominal, all annotators): {_number(report.alpha_token)}")
    per_label = titled_table("Per label (f1_exact averaged over pairs)")
    per_label.add_column("label")
    per_label.add_column("f1_exact", justify="right")
    for label, values in report.per_label.items():
        per_label.add_row(label, _number(values["f1_exact"]))
    console.print(per_label)
    console.print(_confusion_table(report))
    shown = len(report.per_document)
    documents = titled_table(f"Documents agreed on least ({min(worst, shown)} of {shown})")
    documents.add_column("document")
    documents.add_column("annotators", justify="right")
    documents.add_column("f1_exact (pooled over pairs)", justify="right")
    for key, layers, value in report.per_document[:worst]:
        documents.add_row(key, str(layers), _number(value))
    console.print(documents)


def _pairs_table(report: AgreementReport) -> Any:
    pairs = titled_table(f"{counted(report.documents, 'document')} finished by two or more annotators")
    for column in ("a", "b", "documents", "f1_exact", "f1_overlap", "kappa_token"):
        pairs.add_column(column, justify="left" if column in "ab" else "right")
    for row in report.pairs:
        pairs.add_row(
            row["a"], row["b"], str(row["documents"]),
            _number(row["f1_exact"]), _number(row["f1_overlap"]), _number(row["kappa_token"]),
        )  # fmt: skip
    return pairs


def _confusion_table(report: AgreementReport) -> Any:
    """Token counts per pair of categories, the labels in name order and O (outside) last."""
    categories = sorted({c for pair in report.confusion for c in pair}, key=lambda c: (c == "O", c))
    confusion = titled_table("Label confusion (tokens, over all pairs)")
    confusion.add_column("")
    for category in categories:
        confusion.add_column(category, justify="right")
    for x in categories:
        confusion.add_row(x, *(str(report.confusion_count(x, y)) for y in categories))
    return confusion


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one disagreement a line.")
@click.pass_obj
def disagreements(obj: Context, as_json: bool) -> None:
    """Every place where finished layers differ: missing, boundary, label or link.

    Spans every finished layer has (with the same KB link) are agreed; the rest, grouped where they
    share characters, are one disagreement each: missing when a layer has no span there, boundary when
    the extents differ, label when the labels do, else link (the same spans, linked to different KB
    entries or one not linked). Documents agreed on least come first.
    """
    from annotator.agreement import review_queue

    with obj.store() as store:
        reviews = review_queue(store.teams.finished_documents())
    lines = _disagreement_lines(reviews, as_json)
    if lines:
        if as_json:
            echo_json("\n".join(lines))
        else:
            echo("\n".join(lines))
    if not as_json:
        count = sum(len(r.disagreements) for r in reviews)
        echo(
            f"{counted(count, 'disagreement')} in {counted(len(reviews), 'document')}"
            " finished by two or more",
            err=True,
        )


def _disagreement_lines(reviews: list[DocumentReview], as_json: bool) -> list[str]:
    """A line per disagreement: JSON, or key, range, kind, text and each layer's label, tab-separated."""
    if as_json:
        import json

        encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds one per call
        return [encode(d.to_json()) for review in reviews for d in review.disagreements]
    lines: list[str] = []
    for review in reviews:
        for d in review.disagreements:
            text = " ".join(d.text.split())
            links = d.kb_ids()
            layers = "  ".join(
                f"{name}={label or '-'}" + (f"({links[name] or 'no link'})" if d.kind == "link" else "")
                for name, label in d.labels().items()
            )
            lines.append(f"{d.key}\t{d.start}-{d.end}\t{d.kind}\t{text}\t{layers}")
    return lines


@click.command()
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--prefer",
    type=click.Choice(["mine", "theirs"]),
    help="Where both databases changed a layer's document: whose version stays in the layer; the other "
    "is kept as layer LAYER@NAME (default: mine).",
)
@click.option("--dry-run", is_flag=True, help="Print what merging would change, and change nothing.")
@click.pass_obj
def merge(obj: Context, others: tuple[Path, ...], prefer: str | None, dry_run: bool) -> None:
    """Bring in documents and layers from databases made on other machines; nothing is duplicated and no
    span of either side is discarded.

    Documents match by content. A layer's version of a document comes over when this database has none,
    when it carries this database's version further (its action log goes on from ours) or when it has
    every span of ours. Where both sides changed a layer's document, this database's version stays (or
    theirs, with --prefer theirs) and the other is kept as layer LAYER@NAME, NAME from its file name: a
    layer for review, its documents not done, so no agreement counts it. Each such conflict is one line
    on stderr.
    All in one transaction; merging the same file again changes nothing.
    """
    existed = obj.db_path.exists()
    with obj.new_or_existing_store() as store:
        result = store.merge.from_databases(others, prefer, dry_run=dry_run)
    if dry_run and not existed:
        remove_database(obj.db_path)
    for conflict in result.conflicts:
        echo(_conflict_line(conflict, obj.db_path, dry_run), err=True)
    for line in _merge_lines(result, len(others)):
        echo(line)


def _conflict_line(c: MergeConflict, db: Path, dry_run: bool) -> str:
    """What was kept where, and (after a real merge) the command that shows the other version."""
    import shlex

    mine = f"this database's {counted(c.mine_spans, 'span')}"
    theirs = f"{c.source}'s {counted(c.theirs_spans, 'span')}"
    stays, moved = (mine, theirs) if c.kept == "mine" else (theirs, mine)
    are = "is" if (c.theirs_spans if c.kept == "mine" else c.mine_spans) == 1 else "are"
    if dry_run:
        what = f"{c.layer} would keep {stays}, {moved} would be kept as layer {c.moved_to}"
    else:
        review = shlex.join(["annotator", "--db", str(db), "--user", c.moved_to, "annotate"])
        what = (
            f"{c.layer} keeps {stays}, {moved} {are} kept as layer {c.moved_to}; "
            f"review them with: {review} --doc {shlex.quote(c.doc)}"
        )
    return f"conflict: {c.source}: document {c.doc}, layer {c.layer}: changed on both sides; {what}"


def _merge_lines(result: MergeResult, databases: int) -> list[str]:
    """One line per layer changed, then the summary."""
    from annotator.model import CONFLICT

    lines = [
        f"layer {name}{' (kept for review)' if change.kind == CONFLICT else ''}: "
        f"{counted(change.documents, 'document')}, {counted(change.spans_added, 'span')} added"
        + (f", {change.spans_removed} removed" if change.spans_removed else "")
        for name, change in sorted(result.layers.items())
    ]
    lines.append(
        ("dry run, nothing changed: would merge" if result.dry_run else "merged")
        + f" {counted(databases, 'database')}: {counted(result.documents_added, 'document')}, "
        f"{counted(result.layer_documents_copied, 'layer document')} and "
        f"{counted(result.spans_added, 'span')} added, "
        f"{counted(result.statuses_updated, 'status', 'statuses')} updated, "
        f"{counted(len(result.conflicts), 'conflict')}"
        + (
            f"; {counted(result.spans_removed, 'span')} removed, as the other side removed them later"
            if result.spans_removed
            else ""
        )
        + (
            f"; {counted(result.kept_earlier, 'conflict')} kept by an earlier merge"
            if result.kept_earlier
            else ""
        )
        + (
            f"; {counted(result.renamed_keys, 'key')} taken, suffixed with a hash"
            if result.renamed_keys
            else ""
        )
        + (f"; {counted(result.models_added, 'proposal model')} added" if result.models_added else "")
    )
    return lines
