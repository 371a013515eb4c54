"""The proposal model: train."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from annotator.cli.context import Context
from annotator.cli.output import echo
from annotator.errors import AnnotatorError
from annotator.wording import counted, plural

if TYPE_CHECKING:
    from annotator.tagger import Scores


@click.command()
@click.option(
    "--from",
    "layers",
    multiple=True,
    metavar="LAYER",
    help="Learn from this layer's finished documents (repeatable; the first listed wins where several "
    "finished one). Default: gold and --user's own layer; other annotators' only with [learning] "
    "from_other_annotators = true in annotator.toml.",
)
@click.pass_obj
def train(obj: Context, layers: tuple[str, ...]) -> None:
    """Train --user's proposal model on their finished documents and keep it in the database when it
    beats their current model (or the starter model) on held-out documents; prints precision, recall and
    F1 per label on those documents for both."""
    import time

    from annotator.kb import KnowledgeBase
    from annotator.model import StoredModel
    from annotator.tagger import training_layers
    from annotator.tagger.crf import KIND
    from annotator.training import TrainingDocument, current_tagger, seen_by, train_model

    with obj.store() as store:
        kinds = store.layers.kinds()
        chosen = list(dict.fromkeys(layers)) or training_layers(
            obj.user, kinds, obj.learn_from_other_annotators()
        )
        known = store.layers.names()
        for layer in layers:
            if layer not in known:
                raise AnnotatorError(f"--from {layer}: no such layer (layers: {', '.join(known) or 'none'})")
        finished = store.models.training_documents(chosen)
        if not finished:
            raise AnnotatorError(
                f"no finished documents in {plural(len(chosen), 'layer')} {', '.join(chosen)} to train on"
                " (mark documents done in the annotation screen, or import some --as gold)",
                store.path,
            )
        documents = [TrainingDocument(d.key, d.text, next(iter(d.layers.values()))) for d in finished]
        index = KnowledgeBase.load(store.kb).index
        stored = store.models.current(obj.user)
        current, described = current_tagger(stored, index is not None)
        started = time.monotonic()
        result = train_model(documents, index, current, current_seen=seen_by(stored))
        seconds = time.monotonic() - started
        model = result.model
        echo(
            f"trained on {counted(model.documents, 'document')}, {model.tokens:,} tokens of"
            f" {plural(len(chosen), 'layer')} {', '.join(chosen)} in {seconds:.1f} s"
        )
        if result.scores is None:
            echo("one finished document: none held out to measure the model on")
        else:
            echo(f"held out {counted(len(result.held_out), 'document')}: {', '.join(result.held_out)}")
            echo(_scores_table(result.scores, result.current_scores, described))
            if result.current_saw_all:
                echo(
                    f"the current one ({described}) was trained on each of them, so it is not scored on them"
                )
        if stored is not None and stored.digest == model.digest:
            echo(f"kept the current {described}: the new model is the same")
            return
        if not result.replaces:
            why = (
                "the new model does not beat it on held-out documents"
                if result.scores is not None
                else "with one finished document none is held out to measure the new model against it"
            )
            echo(f"kept the current {described}: {why}")
            return
        store.models.save(
            StoredModel(
                user=obj.user,
                kind=KIND,
                data=model.data,
                digest=model.digest,
                trained_from=tuple(chosen),
                documents=model.documents,
                tokens=model.tokens,
                scores=result.scores.to_json() if result.scores else None,
                baseline={"model": described, **result.current_scores.to_json()}
                if result.current_scores
                else None,
                created=time.time(),
                seen=result.seen,
            )
        )
        echo(f"saved as {obj.user}'s model ({len(model.data) / 1024:.0f} KB), replacing the {described}")


def _scores_table(new: Scores, current: Scores | None, described: str) -> str:
    """Per label and for all labels: precision, recall and F1 of the new model and the current one."""
    labels = sorted(set(new.labels) | set(current.labels if current else ()))
    head = f"{'label':<8}{'new: P':>8}{'R':>6}{'F1':>6}"
    if current is not None:
        head += f"    {described}: P / R / F1"
    lines = [head]
    rows = [
        (label, new.labels.get(label), current.labels.get(label) if current else None) for label in labels
    ]
    rows.append(("all", new.overall, current.overall if current else None))
    for label, mine, theirs in rows:
        line = f"{label:<8}" + (
            f"{mine.precision:>8.2f}{mine.recall:>6.2f}{mine.f1:>6.2f}"
            if mine
            else f"{'-':>8}{'-':>6}{'-':>6}"
        )
        if current is not None:
            line += (
                f"    {theirs.precision:.2f} / {theirs.recall:.2f} / {theirs.f1:.2f}" if theirs else "    -"
            )
        lines.append(line)
    return "\n".join(lines)
