"""The command line: parse, call the core, print. Heavy modules are imported inside the commands."""

from __future__ import annotations

import getpass
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def default_user() -> str:
    try:
        return os.environ.get("ANNOTATOR_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


class Context:
    def __init__(self, db: Path, user: str) -> None:
        self.db_path = db
        self.user = user

    def store(self) -> Store:
        from annotator.store import Store

        return Store(self.db_path)


class _Group(click.Group):
    """Turns bad data or state into one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        try:
            return super().invoke(ctx)
        except AnnotatorError as err:
            _fail(str(err))
        except sqlite3.OperationalError as err:
            db = ctx.find_object(Context)
            _fail(f"{db.db_path if db else 'database'}: {err}")


def _fail(message: str) -> NoReturn:
    click.echo(f"annotator: error: {message}", err=True)
    sys.exit(1)


@click.group(cls=_Group, invoke_without_command=True)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=lambda: os.environ.get("ANNOTATOR_DB", "annotations.db"),
    show_default="$ANNOTATOR_DB or annotations.db",
    help="The project database.",
)
@click.option(
    "--user",
    default=default_user,
    show_default="$ANNOTATOR_USER or the login name",
    help="Whose layer to work on.",
)
@click.version_option(package_name="annotator")
@click.pass_context
def cli(ctx: click.Context, db: Path, user: str) -> None:
    """annotator: tag ACTOR, PLACE and EVENT spans in news articles, in the terminal.

    With no command, opens the annotation screen (importing the sample articles into an empty database).
    """
    ctx.obj = Context(db, user)
    if ctx.invoked_subcommand is None:
        with ctx.obj.store() as store:
            if store.document_count() == 0:
                _import_seeds(store, user)
            _run_tui(store, user, None)


def _import_seeds(store: Store, user: str) -> None:
    from annotator.importing import find_files, read_files

    if not SEEDS.is_dir():
        raise AnnotatorError(
            "the database has no documents and there is no seeds folder; use 'annotator import PATH'",
            store.path,
        )
    result = store.import_records(read_files(find_files([SEEDS], "auto")), default_layer=user)
    click.echo(f"imported {result.documents_added} sample document(s) from {SEEDS}", err=True)


def _run_tui(store: Store, user: str, doc_key: str | None) -> None:
    if store.document_count() == 0:
        raise AnnotatorError("no documents to annotate; use 'annotator import PATH' first", store.path)
    from annotator.tui.app import make_app

    make_app(store, user, doc_key).run()


@cli.command()
@click.option("--doc", "doc_key", help="Open this document (its key) first.")
@click.pass_obj
def annotate(obj: Context, doc_key: str | None) -> None:
    """Open the annotation screen for --user."""
    with obj.store() as store:
        if doc_key is not None:
            store.document_id(doc_key)
        _run_tui(store, obj.user, doc_key)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "txt", "jsonl", "doccano"]),
    default="auto",
    show_default=True,
    help="How to read the files; auto goes by the file name and, for JSON Lines, the first record.",
)
@click.option(
    "--as",
    "layer",
    help="Store the spans found in this layer (default: the record's annotator, else --user).",
)
@click.pass_obj
def import_(obj: Context, paths: tuple[Path, ...], fmt: str, layer: str | None) -> None:
    """Import articles from files or folders: txt (one document per file), jsonl, doccano.

    Each import is all or nothing: on bad input nothing is written. Texts already in the database are
    skipped, so importing the same files twice adds nothing.
    """
    from annotator.importing import find_files, read_files

    files = find_files(list(paths), fmt)
    existed = obj.db_path.exists()
    progress = _LateProgress(sum(p.stat().st_size for p, _ in files), "importing")
    try:
        with obj.store() as store:
            result = store.import_records(
                read_files(files, progress), default_layer=obj.user, who=obj.user, layer_override=layer
            )
    except AnnotatorError:
        if not existed:
            _remove_database(obj.db_path)
        raise
    finally:
        progress.close()
    click.echo(
        f"imported {result.documents_added} document(s) and {result.spans_added} span(s) from "
        f"{len(files)} file(s); {result.documents_present} already present"
        + (f"; {result.renamed_keys} key(s) taken, suffixed with a hash" if result.renamed_keys else "")
    )


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Documents, spans per label and layer, progress and time spent per annotator."""
    with obj.store() as store:
        data = store.stats()
    if as_json:
        import json

        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    labels = list(data["labels"])
    table = Table(title=f"{data['documents']} documents, {data['spans']} spans", title_justify="left")
    table.add_column("layer")
    for label in labels:
        table.add_column(label, justify="right")
    table.add_column("spans", justify="right")
    table.add_column("done", justify="right")
    table.add_column("in progress", justify="right")
    table.add_column("time", justify="right")
    for name, layer in data["layers"].items():
        table.add_row(
            name,
            *(str(layer["labels"].get(label, 0)) for label in labels),
            str(layer["spans"]),
            f"{layer['documents_done']} ({layer['progress']:.0%})",
            str(layer["documents_in_progress"]),
            _duration(layer["seconds"]),
        )
    Console().print(table)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class _LateProgress:
    """A progress bar on stderr that appears only once the work has taken more than a second."""

    def __init__(self, total: int, description: str) -> None:
        self.total = total
        self.description = description
        self.done = 0
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._off = not sys.stderr.isatty()

    def __call__(self, amount: int) -> None:
        self.done += amount
        if self._off:
            return
        if self._bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total)
        self._bar.update(self._task, completed=self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


# --- teams: assign, agreement, disagreements, merge (issue 6) ----------------------------------------


@cli.command()
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
    from annotator.assignment import assign_store

    with obj.store() as store:
        before, after = assign_store(store, users, overlap)
    loads = {name: 0 for name in users}
    for names in after.values():
        for name in names:
            loads[name] += 1
    old = {(doc_id, name) for doc_id, names in before.items() for name in names}
    new = {(doc_id, name) for doc_id, names in after.items() for name in names}
    click.echo(
        f"assigned {len(after)} document(s) to {overlap} of {len(users)} annotator(s): "
        + ", ".join(f"{name} {count}" for name, count in loads.items())
        + f"; {len(new - old)} assignment(s) added, {len(old - new)} removed"
    )


def _titled_table(title: str) -> Any:
    """A Rich table whose title stays on one line however narrow the columns are."""
    from rich.table import Table

    return Table(title=title, title_justify="left", min_width=len(title))


@cli.command(name="agreement")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--worst", default=20, show_default=True, help="Rows of the per-document table.")
@click.pass_obj
def agreement_(obj: Context, as_json: bool, worst: int) -> None:
    """Inter-annotator agreement over finished documents: pairwise F1 (exact and overlap), token kappa,
    Krippendorff's alpha, per-label F1, a label confusion table and the documents agreed on least.

    A document counts for a pair of annotators when both finished it; layer gold is not an annotator.
    """
    from annotator.agreement import agreement

    with obj.store() as store:
        labels = [label.name for label in store.labels()]
        report = agreement(store.finished_documents(), labels)
    if as_json:
        import json

        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    console = Console()

    def number(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    if not report.pairs:
        console.print(
            f"{len(report.annotators)} annotator(s) with finished documents: agreement needs two.",
            markup=False,
        )
        return
    pairs = _titled_table(f"{report.documents} document(s) finished by two or more annotators")
    for column in ("a", "b", "documents", "f1_exact", "f1_overlap", "kappa_token"):
        pairs.add_column(column, justify="left" if column in "ab" else "right")
    for row in report.pairs:
        pairs.add_row(
            row["a"], row["b"], str(row["documents"]),
            number(row["f1_exact"]), number(row["f1_overlap"]), number(row["kappa_token"]),
        )  # fmt: skip
    console.print(pairs)
    console.print(f"alpha_token (Krippendorff, nominal, all annotators): {number(report.alpha_token)}")
    per_label = _titled_table("Per label (f1_exact averaged over pairs)")
    per_label.add_column("label")
    per_label.add_column("f1_exact", justify="right")
    for label, values in report.per_label.items():
        per_label.add_row(label, number(values["f1_exact"]))
    console.print(per_label)
    categories = sorted({c for pair in report.confusion for c in pair}, key=lambda c: (c == "O", c))
    confusion = _titled_table("Label confusion (tokens, over all pairs)")
    confusion.add_column("")
    for category in categories:
        confusion.add_column(category, justify="right")
    for x in categories:
        confusion.add_row(
            x,
            *(str(report.confusion_count(x, y)) for y in categories),
        )
    console.print(confusion)
    shown = len(report.per_document)
    documents = _titled_table(
        f"Documents agreed on least ({min(worst, shown)} of {shown})",
    )
    documents.add_column("document")
    documents.add_column("annotators", justify="right")
    documents.add_column("f1_exact (pooled over pairs)", justify="right")
    for key, layers, value in report.per_document[:worst]:
        documents.add_row(key, str(layers), number(value))
    console.print(documents)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one disagreement a line.")
@click.pass_obj
def disagreements(obj: Context, as_json: bool) -> None:
    """Every place where finished layers differ: label, boundary or missing.

    Spans every finished layer has are agreed; the rest, grouped where they share characters, are one
    disagreement each: missing when a layer has no span there, boundary when the extents differ, else
    label. Documents agreed on least come first.
    """
    from annotator.agreement import review_queue

    with obj.store() as store:
        reviews = review_queue(store.finished_documents())
    lines: list[str] = []
    if as_json:
        import json

        encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds one per call
        for review in reviews:
            lines.extend(encode(d.to_json()) for d in review.disagreements)
    else:
        for review in reviews:
            for d in review.disagreements:
                text = " ".join(d.text.split())
                layers = "  ".join(f"{name}={label or '-'}" for name, label in d.labels().items())
                lines.append(f"{d.key}\t{d.start}-{d.end}\t{d.kind}\t{text}\t{layers}")
    if lines:
        click.echo("\n".join(lines))
    if not as_json:
        count = sum(len(r.disagreements) for r in reviews)
        click.echo(f"{count} disagreement(s) in {len(reviews)} document(s) finished by two or more", err=True)


@cli.command()
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--prefer",
    type=click.Choice(["mine", "theirs"]),
    help="Resolve every conflict this way (default: the later edit wins, a tie keeps mine).",
)
@click.pass_obj
def merge(obj: Context, others: tuple[Path, ...], prefer: str | None) -> None:
    """Bring in documents and layers from databases made on other machines; nothing is duplicated.

    Documents match by content. A layer's work on a document comes over when this database has none;
    when both have different spans for the same layer and document, that is a conflict: reported, and
    the later edit (or --prefer) wins for that layer on that document. All in one transaction; merging
    the same file again changes nothing.
    """
    import datetime

    existed = obj.db_path.exists()
    try:
        with obj.store() as store:
            result = store.merge_from(others, prefer)
    except AnnotatorError:
        if not existed:
            _remove_database(obj.db_path)
        raise

    def when(ts: float) -> str:
        if ts == 0:
            return "never"
        return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")

    for c in result.conflicts:
        loser = "theirs" if c.kept == "mine" else "mine"
        click.echo(
            f"conflict: {c.source}: document {c.doc}, layer {c.layer}: kept {c.kept} "
            f"({c.mine_spans if c.kept == 'mine' else c.theirs_spans} span(s), edited "
            f"{when(c.mine_edited if c.kept == 'mine' else c.theirs_edited)}) over {loser} "
            f"({c.theirs_spans if c.kept == 'mine' else c.mine_spans} span(s), edited "
            f"{when(c.theirs_edited if c.kept == 'mine' else c.mine_edited)})",
            err=True,
        )
    click.echo(
        f"merged {len(others)} database(s): {result.documents_added} document(s), "
        f"{result.layer_documents_copied} layer document(s) and {result.spans_added} span(s) added, "
        f"{result.statuses_updated} status(es) updated, {len(result.conflicts)} conflict(s)"
    )


def main() -> None:
    cli(prog_name="annotator")
