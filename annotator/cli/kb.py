"""The knowledge base and what it suggests: kb import, kb add-geonames, kb search, and suggest."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annotator.cli.context import Context
from annotator.cli.output import PhaseProgress, echo, echo_json, say
from annotator.errors import AnnotatorError
from annotator.model import check_label

if TYPE_CHECKING:
    from annotator.kb import BuildSteps, KnowledgeBase, Suggestion
    from annotator.store import Store
    from annotator.suggest import Candidate


@click.group()
def kb() -> None:
    """The knowledge base: entity names and aliases behind fuzzy suggestions."""


@kb.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@click.option("--label", help="Label for rows that give none.")
@click.pass_obj
def kb_import(obj: Context, file: Path, label: str | None) -> None:
    """Add entries from CSV/TSV (name,label[,aliases][,id]; aliases separated by |) or JSON Lines
    ({"name", "label", "aliases": [], "id"}). All or nothing: on a bad line nothing is added."""
    from annotator.kb.sources import read_kb_file

    entries = read_kb_file(file, label)
    with obj.store(create=True) as store:
        added, replaced = store.kb.import_entries(entries, file)
        indexed = _index_kb(store)
    if indexed:
        echo(indexed, err=True)
    echo(
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

    progress = PhaseProgress()
    progress.phase("reading the gazetteer")  # at once: loading its places takes seconds before the first

    def report(done: int, total: int) -> None:
        progress.phase("adding places", done, total)

    try:
        with obj.store(create=True) as store:
            count = store.kb.add(geonames_entries(min_population, report))
            indexed = _index_kb(store, progress)
    finally:
        progress.close()
    if indexed:
        echo(indexed, err=True)
    echo(f"added {count} gazetteer entries")


def _knowledge_base(
    store: Store,
    progress: Callable[[str], None] | None = None,
    layers: list[str] | None = None,
    steps: BuildSteps | None = None,
) -> KnowledgeBase:
    """The database's KB: its kept index (built first when the KB changed) and what the spans of
    ``layers`` (--user's learning sources; every layer when None) teach."""
    from annotator.kb import KnowledgeBase

    return KnowledgeBase.load(store.kb, progress, layers, steps)


def _index_kb(store: Store, progress: PhaseProgress | None = None) -> str | None:
    """Build the fuzzy index now, so the first search and the TUI do not wait for it; what to say of it
    (once ``progress`` is closed). Its phases go to ``progress``."""
    started = time.monotonic()

    def steps(what: str, done: int, total: int) -> None:
        assert progress is not None
        progress.phase(f"building the knowledge-base index: {what}", done, total)

    kb = _knowledge_base(store, steps=None if progress is None else steps)
    if kb.index is not None and kb.index.save_error is not None:
        from annotator.kb.fuzzy import index_folder

        err = kb.index.save_error
        raise AnnotatorError(
            f"{err.strerror or err}: the knowledge base is saved, its index is not (it is built again when"
            " next needed)",
            index_folder(store.path),
        )
    if kb.index is None:
        return None
    return f"indexed {len(kb.index)} distinct names in {time.monotonic() - started:.1f} s"


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
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    default=0.0,
    show_default=True,
    help="Only results scoring this much or more (100: the same name).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result, best first.")
@click.pass_obj
def kb_search(
    obj: Context, query: str, label: str | None, limit: int, min_score: float, as_json: bool
) -> None:
    """Fuzzy look-up of QUERY in the knowledge base and earlier annotations, best first.

    QUERY - reads one query a line from stdin; each result then carries its "query".
    """
    if not query.strip():
        raise click.BadParameter("a name to look up, or - to read queries from stdin", param_hint="QUERY")
    batch = query == "-"
    queries = _stdin_queries() if batch else [query]
    with obj.store() as store:
        if label is not None:
            check_label(label, [lab.name for lab in store.labels.all()], store.path)
        kb = _knowledge_base(store, say, obj.learning_layers(store))
    if kb.index is None and not kb.learned.by_key:
        echo(
            "annotator: the knowledge base is empty: see 'annotator kb add-geonames' and 'kb import'",
            err=True,
        )
    for q in queries:
        for found in kb.search(q, label, limit):
            if found.score >= min_score:
                (echo_json if as_json else echo)(_search_line(found, q if batch else None, as_json))


def _search_line(found: Suggestion, query: str | None, as_json: bool) -> str:
    """One result of ``kb search``; ``query`` is given when queries come from stdin."""
    if as_json:
        import json

        record = found.to_json()
        return json.dumps({"query": query, **record} if query is not None else record, ensure_ascii=False)
    where = f"  [{found.description}]" if found.description else ""
    alias = f" ({found.text})" if found.text != found.name else ""
    prefix = f"{query}\t" if query is not None else ""
    return prefix + f"{found.score:5.1f}  {found.label:<6} {found.name}{alias}  {found.kb_id or '-'}{where}"


def _stdin_queries() -> list[str]:
    """The non-blank lines of stdin, decoded as UTF-8 (a bad byte is an error naming its line), without
    their line ends (\\n or \\r\\n)."""
    from annotator.formats.reading import lines

    return [text.rstrip("\r\n") for _, text in lines(sys.stdin.buffer, Path("stdin"), None)]


@click.command()
@click.option("--doc", "doc_key", help="Only this document (its key); default every document.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per candidate.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    help="Leave out the model's proposals below this confidence; default [suggest] threshold in "
    "annotator.toml (0.5).",
)
@click.option(
    "--no-model", is_flag=True, help="Only the gazetteer and text tagged before, as without a model."
)
@click.pass_obj
def suggest(
    obj: Context, doc_key: str | None, as_json: bool, threshold: float | None, no_model: bool
) -> None:
    """Proposals that --user has not accepted or rejected, document by document, best first: from
    --user's model (or the starter model shipped with annotator), with the KB and text tagged before as
    its features, each with its confidence and source (model, kb, learned).

    Text tagged before means in --user's own layer or in gold; other annotators' layers only when
    annotator.toml says so ([learning] from_other_annotators = true)."""
    from annotator.config import config_path, load_config
    from annotator.suggest import best_first, candidates
    from annotator.training import current_tagger

    config = load_config(config_path())
    threshold = config.threshold if threshold is None else threshold
    no_model = no_model or not config.model
    with obj.store() as store:
        doc_ids = [store.documents.id_of(doc_key)] if doc_key is not None else store.documents.ids()
        kb = _knowledge_base(store, say, obj.learning_layers(store))
        tagger = None
        if not no_model:
            tagger, described = current_tagger(store.models.current(obj.user), kb.index is not None)
            echo(f"annotator: proposing with the {described}, threshold {threshold:g}", err=True)
        for doc_id in doc_ids:
            document = store.documents.get(doc_id)
            spans = store.edits.spans(doc_id, obj.user)
            rejected = store.kb.rejected_suggestions(doc_id, obj.user)
            for c in best_first(candidates(document.text, kb, spans, rejected, tagger, threshold)):
                (echo_json if as_json else echo)(_candidate_line(c, document.key, as_json))


def _candidate_line(c: Candidate, key: str, as_json: bool) -> str:
    """``key  start-end  text  label  KB name  KB id  why`` (``why``: ``model 0.83 + gazetteer``)."""
    if as_json:
        import json

        return json.dumps(c.to_json(key), ensure_ascii=False)
    return f"{key}\t{c.start}-{c.end}\t{c.text}\t{c.label}\t{c.name}\t{c.kb_id or '-'}\t{c.because}"
