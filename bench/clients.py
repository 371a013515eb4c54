"""Every real client on every export it reads: a table of client × format → entities expected and found,
on the hard-case corpus (tests/data/hard_cases.jsonl) and the dev corpus (shared/corpus/gum_dev.jsonl).

The same checks as tests/functional/test_clients.py, printed rather than asserted, plus the clients too
heavy or not installable for every test run:

    .venv/bin/python bench/clients.py [--conlleval PATH/conlleval.pl] [--brat PATH/brat-checkout]
                                      [--flair-python PATH/python] [--dev PATH/gum_dev.jsonl]

``--flair-python`` names the interpreter of a venv that has flair (and torch) installed: flair's
``ColumnCorpus`` then reads the CoNLL files there. A client not given or not installed shows as such.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.functional.test_clients import (  # noqa: E402  (the suite's corpus, counts and brat runner)
    BRAT_VALIDATOR,
    HARD_CASES,
    _self_comparison,
    _sentences,
    dev_corpus,
    expected_counts,
)

FLAIR = r"""
import sys
from flair.datasets import ColumnCorpus
folder, name, columns = sys.argv[1], sys.argv[2], int(sys.argv[3])
corpus = ColumnCorpus(folder, {0: "text", columns - 1: "ner"}, train_file=name, dev_file=name,
                      test_file=name, document_separator_token="-DOCSTART-")
print(sum(len(s.get_spans("ner")) for s in corpus.train))
"""


def cli(db: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "--user", "bench", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return done.stdout + done.stderr


def export_all(source: Path, folder: Path, split: str) -> None:
    db = folder / "project.db"
    cli(db, "import", str(source), "--as", "gold")
    for fmt, name, *extra in (
        ("conll", "iob2.conll"),
        ("conll", "iob2.4.conll", "--columns", "4"),
        ("conll", "bilou.conll", "--scheme", "bilou"),
        ("jsonl", "gold.jsonl"),
        ("jsonl", "jsonl-split", "--split", split),
        ("doccano", "gold.doccano.jsonl"),
        ("doccano", "doccano-split", "--split", split),
        ("spacy", "gold.spacy"),
        ("spacy", "spacy-split", "--split", split),
        ("brat", "brat"),
    ):
        cli(db, "export", "--format", fmt, "--out", str(folder / name), *extra)


def python(*args: str, cwd: Path, executable: str = sys.executable) -> subprocess.CompletedProcess[str]:
    return subprocess.run([executable, *args], cwd=cwd, capture_output=True, text=True, check=False)


def docbin(path: Path) -> list[Any]:
    import spacy
    from spacy.tokens import DocBin

    files = sorted(path.glob("*.spacy")) if path.is_dir() else [path]
    return [d for f in files for d in DocBin().from_disk(f).get_docs(spacy.blank("xx").vocab)]


GOLD = "gold.spacy"
REIMPORTED = (("jsonl", "gold.jsonl"), ("doccano", "gold.doccano.jsonl"), ("brat", "brat"), ("spacy", GOLD))

# Each check: (client, format, what is counted, function(folder) -> found); expected by what is counted.
Check = tuple[str, str, str, Callable[[Path], Any]]


def spacy_convert(name: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        out = folder / f"converted-{name}"
        out.mkdir(exist_ok=True)
        python("-m", "spacy", "convert", "-c", "ner", str(folder / name), str(out), cwd=folder)
        docs = docbin(out / (Path(name).stem + ".spacy"))
        docstarts = sum(t.text == "-DOCSTART-" for d in docs for t in d)
        return f"{len(docs)} docs, {sum(len(d.ents) for d in docs)}" + (
            f" (+{docstarts} -DOCSTART- tokens)" if docstarts else ""
        )

    return run


def spacy_debug(folder: Path) -> str:
    config = folder / "ner.cfg"
    python("-m", "spacy", "init", "config", "-l", "en", "-p", "ner", str(config), cwd=folder)
    parts = ["--paths.train", str(folder / "spacy-split/train.spacy")]
    parts += ["--paths.dev", str(folder / "spacy-split/dev.spacy")]
    report = python("-m", "spacy", "debug", "data", str(config), *parts, cwd=folder).stdout
    missing = next((line.split()[0] for line in report.splitlines() if "missing value(s)" in line), "?")
    ok = all(
        f in report
        for f in ("No entities consisting of or starting/ending", "No entities crossing sentence boundaries")
    )
    return f"{missing} misaligned" + ("" if ok else ", whitespace/sentence warnings")


def spacy_train(folder: Path) -> str:
    parts = ["--paths.train", str(folder / "spacy-split/train.spacy")]
    parts += ["--paths.dev", str(folder / "spacy-split/dev.spacy")]
    small = ["--training.max_epochs", "2", "--training.max_steps", "0"]
    small += ["--components.tok2vec.model.encode.width", "32", "--components.tok2vec.model.encode.depth", "1"]
    start = time.perf_counter()
    config = str(folder / "ner.cfg")
    done = python("-m", "spacy", "train", config, *parts, *small, "--output", str(folder / "t"), cwd=folder)
    return f"finished in {time.perf_counter() - start:.0f} s" if done.returncode == 0 else "FAILED"


def conlleval_perl(script: Path | None, name: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        if script is None or shutil.which("perl") is None:
            return "not given (--conlleval)"
        done = subprocess.run(
            ["perl", str(script)], input=_self_comparison(folder / name), capture_output=True, text=True
        )
        if done.returncode:
            return f"refused: {done.stderr.strip()}"
        found = done.stdout.split("found: ")[1].split(" ")[0]
        return f"{found}, FB1 {done.stdout.split('FB1: ')[1].split()[0]}"

    return run


def conlleval_port(name: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        import conlleval

        try:
            chunks = conlleval.evaluate(_self_comparison(folder / name).split("\n"))["overall"]["chunks"]
        except Exception as err:
            return f"refused: {err}"
        return f"{chunks['stats']['pred']}, F1 {chunks['evals']['f1']:.2f}"

    return run


def seqeval_count(name: str, scheme: str) -> Callable[[Path], int]:
    def run(folder: Path) -> int:
        from seqeval import scheme as schemes
        from seqeval.scheme import Entities

        tags = list(_sentences(folder / name))
        return sum(len(s) for s in Entities(tags, getattr(schemes, scheme)).entities)

    return run


def nltk_count(name: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        import nltk
        from nltk.corpus.reader import ConllCorpusReader

        nltk.data.path.append(str(folder))
        four = ".4." in name
        columns = ("words", "pos", "ignore", "chunk") if four else ("words", "pos")
        reader = ConllCorpusReader(str(folder), [name], columntypes=columns)
        sents = [[t[-1] for t in s] for s in (reader.iob_sents() if four else reader.tagged_sents())]
        return f"{sents.count([])} docs, {sum(t.startswith('B-') for s in sents for t in s)}"

    return run


def datasets_count(files: str, key: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        import datasets

        datasets.disable_progress_bars()
        paths = sorted(folder.glob(files))
        try:
            loaded = datasets.load_dataset("json", data_files=[str(p) for p in paths], split="train",
                                           cache_dir=str(folder / "hf"))  # fmt: skip
        except Exception as err:
            return f"refused: {type(err).__name__}"
        spans = loaded.features[key]
        typed = "struct" if hasattr(getattr(spans, "feature", None), "keys") else "json"
        return f"{sum(len(r[key]) for r in loaded)} ({typed})"

    return run


def brat_issues(checkout: Path | None) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        if checkout is None:
            return "not given (--brat)"
        copy = folder / "brat-checked"  # brat writes the .ann files back in its own layout
        shutil.copytree(folder / "brat", copy, dirs_exist_ok=True)
        anns = sorted(str(p) for p in copy.glob("*.ann"))
        done = subprocess.run([sys.executable, "-c", BRAT_VALIDATOR, str(checkout), *anns],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        issues = [line for line in done.stdout.splitlines() if line.strip()]
        return f"{len(issues)} issues" if done.returncode == 0 else "FAILED"

    return run


def flair_count(interpreter: str | None, name: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        if interpreter is None:
            return "not given (--flair-python)"
        columns = "4" if ".4." in name else "2"
        done = python("-c", FLAIR, str(folder), name, columns, cwd=folder, executable=interpreter)
        return done.stdout.strip().splitlines()[-1] if done.returncode == 0 else "FAILED"

    return run


def reimported(path: str) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        line = cli(folder / f"back-{path.replace('/', '_')}.db", "import", str(folder / path), "--as", "back")
        words = line.split()
        return f"{words[1]} docs, {words[4]}"

    return run


def checks(args: argparse.Namespace) -> list[Check]:
    perl = args.conlleval
    return [
        ("spacy convert -c ner", "conll 4 columns", "docs, entities", spacy_convert("iob2.4.conll")),
        ("spacy convert -c ner", "conll 2 columns", "docs, entities", spacy_convert("iob2.conll")),
        ("spaCy DocBin: doc.ents", "spacy", "ents", lambda f: sum(len(d.ents) for d in docbin(f / GOLD))),
        (
            "spaCy DocBin: spans sc",
            "spacy",
            "spans",
            lambda f: sum(len(d.spans["sc"]) for d in docbin(f / GOLD)),
        ),
        ("spacy debug data", "spacy --split", "misaligned", spacy_debug),
        ("spacy train (2 epochs)", "spacy --split", "finishes", spacy_train),
        ("conlleval.pl (original)", "conll 2 columns", "entities", conlleval_perl(perl, "iob2.conll")),
        ("conlleval.pl (original)", "conll 4 columns", "entities", conlleval_perl(perl, "iob2.4.conll")),
        ("conlleval (PyPI port)", "conll 2 columns", "entities", conlleval_port("iob2.conll")),
        ("conlleval (PyPI port)", "conll 4 columns", "entities", conlleval_port("iob2.4.conll")),
        ("seqeval (strict)", "conll iob2", "entities", seqeval_count("iob2.conll", "IOB2")),
        ("seqeval (strict)", "conll bilou", "entities", seqeval_count("bilou.conll", "BILOU")),
        ("nltk ConllCorpusReader", "conll 2 columns", "docs, entities", nltk_count("iob2.conll")),
        ("nltk ConllCorpusReader", "conll 4 columns", "docs, entities", nltk_count("iob2.4.conll")),
        ("flair ColumnCorpus", "conll 2 columns", "entities", flair_count(args.flair_python, "iob2.conll")),
        ("flair ColumnCorpus", "conll 4 columns", "entities", flair_count(args.flair_python, "iob2.4.conll")),
        ("datasets (HF)", "jsonl", "spans", datasets_count("gold.jsonl", "spans")),
        ("datasets (HF)", "jsonl --split", "spans", datasets_count("jsonl-split/*.jsonl", "spans")),
        ("datasets (HF)", "doccano", "spans", datasets_count("gold.doccano.jsonl", "label")),
        ("datasets (HF)", "doccano --split", "spans", datasets_count("doccano-split/*.jsonl", "label")),
        ("brat verify_annotations", "brat", "issues", brat_issues(args.brat)),
        *(("annotator import", fmt, "docs, spans", reimported(path)) for fmt, path in REIMPORTED),
        ("annotator import", "conll", "docs, entities", reimported("iob2.conll")),
    ]


def expected_text(what: str, counts: Any) -> str:
    return {
        "docs, entities": f"{counts.documents} docs, {counts.entities}",
        "docs, spans": f"{counts.documents} docs, {counts.spans}",
        "entities": str(counts.entities),
        "ents": str(counts.entities),
        "spans": str(counts.spans),
        "misaligned": "0 misaligned",
        "finishes": "finishes",
        "issues": "0 issues",
    }[what]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conlleval", type=Path, help="the original conlleval Perl script")
    parser.add_argument("--brat", type=Path, help="a brat checkout (its server/src is run)")
    parser.add_argument("--flair-python", help="the python of a venv with flair installed")
    parser.add_argument("--dev", type=Path, default=dev_corpus(), help="the dev corpus (gum_dev.jsonl)")
    args = parser.parse_args()
    corpora = {"hard cases": (HARD_CASES, "0.6,0.4")}
    if args.dev is not None:
        corpora["dev corpus"] = (args.dev, "0.8,0.1,0.1")
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for name, (source, split) in corpora.items():
            folders[name] = Path(tmp) / name.replace(" ", "-")
            folders[name].mkdir()
            export_all(source, folders[name], split)
        header = ["client", "format"] + [f"{n}: {w}" for n in corpora for w in ("expected", "found")]
        rows = []
        for client, fmt, what, found in checks(args):
            row = [client, fmt]
            for name, (source, _) in corpora.items():
                try:
                    got = str(found(folders[name]))
                except Exception as err:  # a client that is not installed, or that fails
                    got = f"FAILED: {type(err).__name__}: {str(err)[:60]}"
                row += [expected_text(what, expected_counts(source)), got]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr, flush=True)
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
