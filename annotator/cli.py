"""The command line: parse, call the core, print. Heavy modules are imported inside the commands."""

from __future__ import annotations

import getpass
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from annotator.errors import AnnotatorError
from annotator.model import CONFLICT, check_label

if TYPE_CHECKING:
    from collections.abc import Callable

    from annotator.kb import KnowledgeBase
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

    def store(self, create: bool = False) -> Store:
        """The database; only commands that add to it (import, kb import, merge) create a missing one.
        ``[labels]`` in annotator.toml is applied to it: the project's label set."""
        from annotator.config import config_path, load_config
        from annotator.store import Store

        labels = load_config(config_path()).labels
        store = Store(self.db_path, create)
        if labels is not None and labels != store.labels.all():
            try:
                store.labels.define(labels)
            except BaseException:
                store.close()
                raise
        return store


class _Group(click.Group):
    """Turns bad data or state into one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        try:
            result = super().invoke(ctx)
            _flush_stdout()
            return result
        except AnnotatorError as err:
            _fail(str(err))
        except sqlite3.DatabaseError as err:  # locked, malformed ("database disk image is malformed"), ...
            db = ctx.find_object(Context)
            _fail(f"{db.db_path if db else 'database'}: {err}")
        except OSError as err:  # disk full, no permission, read-only file system, no such folder, ...
            where = _failed_file(err)
            _fail(f"{where}: {err.strerror or err}" if where else str(err.strerror or err))


def _failed_file(err: OSError) -> str | None:
    """The file an error is about. Files the commands write name themselves; an error writing that names
    no file comes from printing (rich and click write standard output themselves)."""
    import errno

    if err.filename is not None:
        return str(err.filename)
    writing = {errno.ENOSPC, errno.EPIPE, errno.EDQUOT, errno.EFBIG}
    return "standard output" if err.errno in writing else None


def _flush_stdout() -> None:
    """Flush standard output now, so that a failure to write it (a full disk, a closed pipe) is an
    error line and exit status 1 rather than lost at exit."""
    try:
        sys.stdout.flush()
    except OSError as err:
        raise OSError(err.errno, err.strerror, "standard output") from None


def _fail(message: str) -> NoReturn:
    try:
        sys.stdout.flush()
    except OSError:
        _discard_stdout()
    click.echo(f"annotator: error: {message}", err=True)
    sys.exit(1)


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that Python's flush at exit does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (a test's captured output)


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
        with ctx.obj.store(create=True) as store:
            if store.documents.count() == 0:
                _import_seeds(store, user)
            _run_tui(store, user, None)


def _import_seeds(store: Store, user: str) -> None:
    from annotator.importing import find_files, read_files

    if not SEEDS.is_dir():
        raise AnnotatorError(
            "the database has no documents and there is no seeds folder; use 'annotator import PATH'",
            store.path,
        )
    result = store.documents.import_records(read_files(find_files([SEEDS], "auto")), default_layer=user)
    click.echo(f"imported {result.documents_added} sample document(s) from {SEEDS}", err=True)


def _run_tui(store: Store, user: str, doc_key: str | None, review: bool = False) -> None:
    if store.documents.count() == 0:
        raise AnnotatorError("no documents to annotate; use 'annotator import PATH' first", store.path)
    if review and not store.teams.has_review():
        raise AnnotatorError(
            "nothing to review: no document is finished (marked done) by two or more annotators", store.path
        )
    from annotator.config import check_label_keys, config_path, load_config
    from annotator.keymap import key_actions
    from annotator.tui.app import make_app

    actions = key_actions()
    config = load_config(config_path(), actions)
    check_label_keys(config, actions)
    make_app(store, user, doc_key, config.keys, review).run()


@cli.command()
@click.option("--doc", "doc_key", help="Open this document (its key) first.")
@click.pass_obj
def annotate(obj: Context, doc_key: str | None) -> None:
    """Open the annotation screen for --user."""
    with obj.store() as store:
        if doc_key is not None:
            store.documents.id_of(doc_key)
        _run_tui(store, obj.user, doc_key)


@cli.command()
@click.pass_obj
def review(obj: Context) -> None:
    """Review disagreements between finished layers into the gold layer.

    Documents with disagreements come first, the least agreed first. Spans every finished layer agrees on
    go into gold when a document opens; 1-9 take a layer's version of the current disagreement, 0 none,
    n/N move between disagreements, d finishes the document; the annotation keys edit gold by hand.
    """
    with obj.store() as store:
        _run_tui(store, obj.user, None, review=True)


def _layer_name(value: str | None) -> str | None:
    """A --as/--layer value: absent, or a name (an empty one would silently mean the default layer)."""
    if value is not None and not value.strip():
        raise click.BadParameter("give a layer name, not an empty string")
    return value


class _FormatChoice(click.Choice[str]):
    """A --format choice whose names come from the format registry when first needed (to parse or to show
    help), so that starting the command line loads no format module."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        self._names = names
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        """Set by ``click.Choice`` when it is made: ignored, the registry is the one source."""


def _import_formats() -> list[str]:
    from annotator.importing import format_choices

    return format_choices()


def _export_formats() -> list[str]:
    from annotator import formats

    return formats.writer_names()


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=_FormatChoice(_import_formats),
    default="auto",
    show_default=True,
    help="How to read the files; auto goes by the file name and, for JSON Lines, the first record.",
)
@click.option(
    "--as",
    "layer",
    callback=lambda ctx, param, value: _layer_name(value),
    help="Store the spans found in this layer (default: the record's annotator, else --user).",
)
@click.pass_obj
def import_(obj: Context, paths: tuple[Path, ...], fmt: str, layer: str | None) -> None:
    """Import articles from files or folders: txt (one document per file), jsonl, doccano, conll, brat.

    CoNLL tags may be IOB1, IOB2, BILOU or BIOES (an I- after O starts an entity, as in IOB1); the text is
    rebuilt with a space between tokens and a line break between sentences. brat reads .txt + .ann pairs.

    Each import is all or nothing: on bad input nothing is written. Texts already in the database are
    skipped, so importing the same files twice adds nothing.
    """
    from annotator.importing import find_files, read_files

    files = find_files(list(paths), fmt)
    existed = obj.db_path.exists()
    progress = _LateProgress(sum(p.stat().st_size for p, _ in files), "importing")
    try:
        with obj.store(create=True) as store:
            labels = {label.name for label in store.labels.all()}
            result = store.documents.import_records(
                read_files(files, progress, labels),
                default_layer=obj.user,
                who=obj.user,
                layer_override=layer,
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


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("annotator.toml"),
    show_default=True,
    help="Where to write the settings.",
)
@click.option("--force", is_flag=True, help="Replace a settings file that is already there.")
def init(out: Path, force: bool) -> None:
    """Write a commented annotator.toml: every setting (the keys of each action) at its default."""
    from annotator.config import default_config
    from annotator.keymap import key_actions

    if out.exists() and not force:
        raise AnnotatorError("already exists; use --force to replace it", out)
    if not out.parent.is_dir():  # a typo more often than a wish for a new folder: not created
        what = "is a file, not a folder" if out.parent.exists() else "does not exist"
        raise AnnotatorError(f"{str(out.parent)!r} {what}; init does not create folders", out)
    try:
        out.write_text(default_config(key_actions()), encoding="utf-8")
    except OSError as err:
        raise AnnotatorError(err.strerror or str(err), out) from None
    click.echo(f"wrote {out}: uncomment a line to change a key", err=True)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Documents, spans per label and layer, progress and time spent per annotator."""
    with obj.store() as store:
        data = store.progress.stats()
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


# --- knowledge base and suggestions (issue 4) ----------------------------------------------------------


@cli.group()
def kb() -> None:
    """The knowledge base: entity names and aliases behind fuzzy suggestions."""


@kb.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--label", help="Label for rows that give none.")
@click.pass_obj
def kb_import(obj: Context, file: Path, label: str | None) -> None:
    """Add entries from CSV/TSV (name,label[,aliases][,id]; aliases separated by |) or JSON Lines
    ({"name", "label", "aliases": [], "id"}). All or nothing: on a bad line nothing is added."""
    from annotator.kb.sources import read_kb_file

    entries = read_kb_file(file, label)
    with obj.store(create=True) as store:
        added, replaced = store.kb.import_entries(entries, file)
        _index_kb(store)
    click.echo(
        f"added {added} knowledge-base entr{'y' if added == 1 else 'ies'}"
        + (f", replaced {replaced} with the same id and label" if replaced else "")
        + f" from {file}"
    )


@kb.command(name="add-geonames")
@click.option(
    "--min-population", type=click.IntRange(min=0), default=0, show_default=True, help="Skip smaller places."
)
@click.pass_obj
def kb_add_geonames(obj: Context, min_population: int) -> None:
    """Add the built-in gazetteer: GeoNames places of 500+ people with their alternate names, continents
    and countries (as PLACE, and countries as ACTOR too)."""
    from annotator.kb.sources import geonames_entries

    progress = _LateProgress(0, "gazetteer")

    def report(done: int, total: int) -> None:
        progress.total = total
        progress(done - progress.done)

    try:
        with obj.store(create=True) as store:
            count = store.kb.add(geonames_entries(min_population, report))
            progress.close()
            _index_kb(store)
    finally:
        progress.close()
    click.echo(f"added {count} gazetteer entries")


def _say(message: str) -> None:
    click.echo(f"annotator: {message}...", err=True)


def _knowledge_base(store: Store, progress: Callable[[str], None] | None = None) -> KnowledgeBase:
    """The database's KB: its kept index (built first when the KB changed) and what saved spans teach."""
    from annotator.kb import KnowledgeBase

    return KnowledgeBase.load(store.kb, progress)


def _index_kb(store: Store) -> None:
    """Build the fuzzy index now, so the first search and the TUI do not wait for it."""
    started = time.monotonic()
    kb = _knowledge_base(store)
    if kb.index is not None:
        click.echo(f"indexed {len(kb.index)} distinct names in {time.monotonic() - started:.1f} s", err=True)


@kb.command(name="search")
@click.argument("query")
@click.option("--label", help="Only entries with this label.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="At most this many results per query.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result, best first.")
@click.pass_obj
def kb_search(obj: Context, query: str, label: str | None, limit: int, as_json: bool) -> None:
    """Fuzzy look-up of QUERY in the knowledge base and earlier annotations, best first.

    QUERY - reads one query a line from stdin; each result then carries its "query".
    """
    import json

    if not query.strip():
        raise click.BadParameter("a name to look up, or - to read queries from stdin", param_hint="QUERY")
    batch = query == "-"
    queries = _stdin_queries() if batch else [query]
    with obj.store() as store:
        if label is not None:
            check_label(label, [lab.name for lab in store.labels.all()], store.path)
        kb = _knowledge_base(store, _say)
    if kb.index is None and not kb.learned.by_key:
        click.echo(
            "annotator: the knowledge base is empty: see 'annotator kb add-geonames' and 'kb import'",
            err=True,
        )
    for q in queries:
        for found in kb.search(q, label, limit):
            if as_json:
                record = found.to_json()
                click.echo(json.dumps({"query": q, **record} if batch else record, ensure_ascii=False))
            else:
                where = f"  [{found.description}]" if found.description else ""
                alias = f" ({found.text})" if found.text != found.name else ""
                prefix = f"{q}\t" if batch else ""
                kb_id = found.kb_id or "-"
                line = f"{found.score:5.1f}  {found.label:<6} {found.name}{alias}  {kb_id}{where}"
                click.echo(prefix + line)


def _stdin_queries() -> list[str]:
    """The non-blank lines of stdin, decoded as UTF-8 (a bad byte is an error naming its line), without
    their line ends (\\n or \\r\\n)."""
    from annotator.formats.reading import lines

    return [text.rstrip("\r\n") for _, text in lines(sys.stdin.buffer, Path("stdin"), None)]


@cli.command()
@click.option("--doc", "doc_key", help="Only this document (its key); default every document.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per candidate.")
@click.pass_obj
def suggest(obj: Context, doc_key: str | None, as_json: bool) -> None:
    """Pre-annotation candidates (KB matches and text tagged before) that --user has not accepted or
    rejected, document by document, best first: text tagged before, then by score and prominence."""
    import json

    from annotator.suggest import best_first, candidates

    with obj.store() as store:
        doc_ids = [store.documents.id_of(doc_key)] if doc_key is not None else store.documents.ids()
        kb = _knowledge_base(store, _say)
        for doc_id in doc_ids:
            document = store.documents.get(doc_id)
            key = document.key
            spans = store.edits.spans(doc_id, obj.user)
            rejected = store.kb.rejected_suggestions(doc_id, obj.user)
            for c in best_first(candidates(document.text, kb, spans, rejected)):
                if as_json:
                    click.echo(json.dumps(c.to_json(key), ensure_ascii=False))
                else:
                    source = "learned" if c.learned else f"{c.score:.0f}"
                    click.echo(
                        f"{key}\t{c.start}-{c.end}\t{c.text}\t{c.label}\t{c.name}\t{c.kb_id or '-'}\t{source}"
                    )


# --- export (issue 5) ---------------------------------------------------------------------------------


_DEFAULT = click.core.ParameterSource.DEFAULT


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


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=_FormatChoice(_export_formats),
    required=True,
    help="What to write.",
)
@click.option(
    "--layer",
    callback=lambda ctx, param, value: _layer_name(value),
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
    """Write training data: CoNLL, Prodigy/spaCy JSONL, doccano JSONL or brat.

    CoNLL cannot hold overlapping spans or spans off token boundaries: a span is widened to whole
    tokens, and of overlapping spans the longest is kept; the counts go to stderr (--verbose: each
    span). JSONL, doccano and brat keep every span as it is. Documents stream one at a time.

    An export replaces the previous one: --split removes the train/dev/test files of the format (brat:
    folders) it does not write; brat removes the .txt/.ann files and annotation.conf in its folder, and
    refuses a folder holding anything else. A device, FIFO or symbolic link given to --out is written
    through; a regular file is replaced only once the export is complete.
    """
    if fmt != "conll" and (scheme or columns):
        raise click.UsageError("--scheme and --columns apply to --format conll only")
    from annotator import formats

    if out is not None and str(out) == "-" and (formats.get(fmt).writes_folder or split):
        raise click.UsageError("brat and --split write a folder, not standard output; give --out FOLDER")
    if split is None and click.get_current_context().get_parameter_source("seed") != _DEFAULT:
        raise click.UsageError("--seed shuffles the documents for --split; give --split too")
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
    bar = _LateProgress(0, "exporting")

    def advance(amount: int, total: int) -> None:
        bar.total = total
        bar(amount)

    try:
        with obj.store() as store:
            summary = run_export(
                store, request, advance, (lambda line: click.echo(line, err=True)) if verbose else None
            )
    finally:
        bar.close()
    click.echo(summary.describe(verbose), err=True)


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
    from annotator.assignment import reassign

    with obj.store() as store:
        hashes = store.documents.hashes()
        if not hashes:
            raise AnnotatorError("no documents to assign; use 'annotator import PATH' first", store.path)
        before = store.teams.assignments()
        after = reassign(hashes, before, store.teams.started(), users, overlap)
        store.teams.set_assignments(after)
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

    A document counts for a pair of annotators when both finished it; layer gold is not an annotator.
    """
    from annotator.agreement import agreement

    with obj.store() as store:
        labels = [label.name for label in store.labels.all()]
        report = agreement(store.teams.finished_documents(), labels)
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
        reviews = review_queue(store.teams.finished_documents())
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
    layer for review, never done, so no agreement counts it. Each such conflict is one line on stderr.
    All in one transaction; merging the same file again changes nothing.
    """
    import shlex

    existed = obj.db_path.exists()
    try:
        with obj.store(create=True) as store:
            result = store.merge.from_databases(others, prefer, dry_run=dry_run)
    except AnnotatorError:
        if not existed:
            _remove_database(obj.db_path)
        raise
    if dry_run and not existed:
        _remove_database(obj.db_path)

    for c in result.conflicts:
        mine, theirs = f"this database's {c.mine_spans} span(s)", f"{c.source}'s {c.theirs_spans} span(s)"
        stays, moved = (mine, theirs) if c.kept == "mine" else (theirs, mine)
        if dry_run:
            what = f"{c.layer} would keep {stays}, {moved} would be kept as layer {c.moved_to}"
        else:
            review = shlex.join(["annotator", "--db", str(obj.db_path), "--user", c.moved_to, "annotate"])
            what = (
                f"{c.layer} keeps {stays}, {moved} are kept as layer {c.moved_to}; "
                f"review them with: {review} --doc {shlex.quote(c.doc)}"
            )
        where = f"{c.source}: document {c.doc}, layer {c.layer}"
        click.echo(f"conflict: {where}: changed on both sides; {what}", err=True)
    for name, change in sorted(result.layers.items()):
        click.echo(
            f"layer {name}{' (kept for review)' if change.kind == CONFLICT else ''}: "
            f"{change.documents} document(s), {change.spans_added} span(s) added"
            + (f", {change.spans_removed} removed" if change.spans_removed else "")
        )
    click.echo(
        ("dry run, nothing changed: would merge" if dry_run else "merged")
        + f" {len(others)} database(s): {result.documents_added} document(s), "
        f"{result.layer_documents_copied} layer document(s) and {result.spans_added} span(s) added, "
        f"{result.statuses_updated} status(es) updated, {len(result.conflicts)} conflict(s)"
        + (
            f"; {result.spans_removed} span(s) removed, as the other side removed them later"
            if result.spans_removed
            else ""
        )
        + (f"; {result.kept_earlier} conflict(s) kept by an earlier merge" if result.kept_earlier else "")
        + (f"; {result.renamed_keys} key(s) taken, suffixed with a hash" if result.renamed_keys else "")
    )


@cli.command()
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def backup(obj: Context, target: Path) -> None:
    """Copy the database to TARGET (a new file) while it is in use: SQLite's online backup."""
    with obj.store() as store:
        store.maintenance.backup(target)
        documents = store.documents.count()
    click.echo(f"backed up {documents} document(s) to {target}")


@cli.command()
@click.pass_obj
def check(obj: Context) -> None:
    """Check the database: integrity, foreign keys, schema, spans inside their texts, texts unchanged."""
    with obj.store() as store:
        problems = store.maintenance.check()
        documents, spans = store.documents.count(), store.progress.stats()["spans"]
    for problem in problems:
        click.echo(problem)
    if problems:
        raise AnnotatorError(f"{len(problems)} problem(s), listed above", obj.db_path)
    click.echo(f"ok: {documents} document(s), {spans} span(s)")


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Where to listen (127.0.0.1: this machine only)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port.")
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    """The annotation screen in a web browser (textual-serve): each visitor gets a process of their own,
    as --user on --db. Ctrl+C stops the server."""
    import shlex

    with obj.store() as store:
        if store.documents.count() == 0:
            raise AnnotatorError("no documents to annotate; use 'annotator import PATH' first", store.path)
    from textual_serve.server import Server

    command = [sys.executable, "-m", "annotator", "--db", str(obj.db_path.resolve()), "--user", obj.user]
    click.echo(f"annotator for {obj.user} at http://{host}:{port}/ (Ctrl+C stops it)", err=True)
    Server(shlex.join([*command, "annotate"]), host=host, port=port, title="annotator").serve()


def main() -> None:
    cli(prog_name="annotator")
