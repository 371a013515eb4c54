"""One example per command, shown at the end of its ``--help`` (tests/functional checks that each one
parses with the command's own options)."""

from __future__ import annotations

import click

EXAMPLES: dict[str, list[str]] = {
    "": ["annotator --user alice"],
    "import": ["annotator import articles/ --format txt", "annotator import gold.jsonl --as gold"],
    "init": ["annotator init --out annotator.toml"],
    "stats": ["annotator stats --json", "annotator stats --daily"],
    "annotate": ["annotator --user alice annotate --doc GUM_news_afghan"],
    "review": ["annotator --user lead review"],
    "serve": ["annotator serve --host 127.0.0.1 --port 8000"],
    "kb": ["annotator kb search Gubadli --label PLACE"],
    "kb import": ["annotator kb import people.csv --label ACTOR"],
    "kb add-geonames": ["annotator kb add-geonames --min-population 1000"],
    "kb search": [
        "annotator kb search Gubadli --min-score 85 --limit 3",
        "annotator kb search - < names.txt",
    ],
    "train": ["annotator --user alice train --from gold --from alice"],
    "suggest": ["annotator --user alice suggest --doc GUM_news_afghan --json"],
    "export": ["annotator export --format conll --layer gold --out gold.conll"],
    "assign": ["annotator assign --users alice,bob,carol --overlap 2"],
    "agreement": ["annotator agreement --worst 5"],
    "disagreements": ["annotator disagreements --json"],
    "merge": ["annotator merge laptop.db --dry-run"],
    "backup": ["annotator backup annotations-copy.db"],
    "check": ["annotator check"],
}


def add_examples(command: click.Command, path: str = "") -> None:
    """Put ``command``'s examples (and its subcommands') at the end of its help, kept as written."""
    examples = EXAMPLES.get(path)
    if examples:
        lines = "\n".join(f"  $ {example}" for example in examples)
        command.epilog = f"\b\nExample{'s' * (len(examples) > 1)}:\n{lines}"
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            add_examples(sub, f"{path} {name}".strip())
