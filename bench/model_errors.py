"""Error classes of the proposal model on the team folds (never the held-out articles): for each gold span,
whether it was found exactly, found with another label (same extent), found with the right label but other
edges (boundary), overlapped by a span of another label and other edges, or missed (nothing overlaps);
``(nested)`` when the gold span lies inside another gold span (a tag sequence cannot hold both). Every
proposal that overlaps no gold span is spurious.

    .venv/bin/python bench/model_errors.py --db GAZETTEER_DB [--starter] [--examples 20]

Default: the team model, leave one out over the 6 team news articles (the others and, as another domain,
the travel guides and interviews trained on), as ``bench/model.py --team-folds``; ``--starter``: a
starter trained on the guides and interviews only, scored on the same 6 articles.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from annotator.config import Config  # noqa: E402
from annotator.kb import KnowledgeBase  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.tagger import Tagger, train  # noqa: E402
from annotator.training import TrainingDocument, examples, with_corpus  # noqa: E402
from bench.model import CORPUS, LABELS, Spans, load_corpus, model_spans  # noqa: E402


def error_classes(
    documents: Sequence[TrainingDocument], found: Sequence[Spans]
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], list[str]]]:
    """Counts by (label, class) and the mentions of each, in text order."""
    counts: Counter[tuple[str, str]] = Counter()
    mentions: dict[tuple[str, str], list[str]] = defaultdict(list)
    for document, proposed in zip(documents, found, strict=True):
        gold, spans = set(document.spans), set(proposed)
        text = document.text
        for span in sorted(gold):
            start, end, label = span
            over = [p for p in spans if p[0] < end and start < p[1]]
            if span in spans:
                kind = "exact"
            elif same := [p for p in over if p[:2] == (start, end)]:
                kind = f"label -> {same[0][2]}"
            elif any(p[2] == label for p in over):
                kind = "boundary"
            elif over:
                kind = f"boundary and label -> {over[0][2]}"
            else:
                kind = "missed"
            if any(g != span and g[0] <= start and end <= g[1] for g in gold):
                kind += " (nested)"
            counts[label, kind] += 1
            seen = ", ".join(f"{text[p[0] : p[1]]}/{p[2]}" for p in over)
            mentions[label, kind].append(f"{text[start:end]!r}" + (f" as {seen}" if seen else ""))
        for start, end, label in sorted(spans - gold):
            if not any(g[0] < end and start < g[1] for g in gold):
                counts[f"{label} proposed", "spurious"] += 1
                around = text[max(0, start - 25) : start] + "[" + text[start:end] + "]" + text[end : end + 20]
                mentions[f"{label} proposed", "spurious"].append(" ".join(around.split()))
    return counts, mentions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--threshold", type=float, default=Config.threshold)
    parser.add_argument("--starter", action="store_true", help="The starter on the team articles instead.")
    parser.add_argument("--examples", type=int, default=0, help="Mentions to print per class.")
    args = parser.parse_args()
    with Store(args.db) as store:
        index = KnowledgeBase.load(store.kb).index
    team, _, starter_docs = load_corpus(args.corpus)
    news = [d for d in team if d.key.startswith("GUM_news_")]
    found: list[Spans] = []
    if args.starter:
        tagger = Tagger(train(examples(starter_docs, index, starter_docs)).data)
        found = model_spans(tagger, examples(news, index, starter_docs), args.threshold)
    else:
        for i, held_back in enumerate(news):
            training = [d for j, d in enumerate(news) if j != i]
            model = train(with_corpus(examples(training, index, training), starter_docs, index))
            found += model_spans(Tagger(model.data), examples([held_back], index, training), args.threshold)
    counts, mentions = error_classes(news, found)
    print("| label | spans | classes, most first |\n|---|---|---|")
    for label in (*LABELS, *(f"{label} proposed" for label in LABELS)):
        classes = sorted(((k, n) for (lab, k), n in counts.items() if lab == label), key=lambda kn: -kn[1])
        cells = ", ".join(f"{k} {n}" for k, n in classes)
        print(f"| {label} | {sum(n for _, n in classes)} | {cells} |")
    if args.examples:
        for (label, kind), found_mentions in sorted(mentions.items()):
            if kind != "exact":
                print(f"\n{label}, {kind} ({len(found_mentions)}):")
                for mention in found_mentions[: args.examples]:
                    print(f"    {mention}")


if __name__ == "__main__":
    main()
