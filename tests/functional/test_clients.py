"""The real clients people train with read our exports as their own docs say to use them, with the entity
counts expected: spaCy (``spacy convert`` finding every document, ``spacy debug data``, a two-epoch
``spacy train``), conlleval (its PyPI port always; the original Perl script where it is on this machine),
seqeval, nltk's ``ConllCorpusReader``, Hugging Face ``datasets`` on every JSONL shape, and brat's own
validator where a brat checkout is given. Each runs on the fixed hard-case corpus (tests/data/) and on the
dev corpus (shared/corpus/, beside the repository), exported once per corpus through the command line.

A client that cannot be installed here is skipped with the reason; bench/clients.py prints the same checks
as a table, with the heavy clients (flair) where they are installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from tests.conftest import ROOT, dev_corpus

HARD_CASES = ROOT / "tests" / "data" / "hard_cases.jsonl"
SPLITS = {"hard": "0.6,0.4", "dev": "0.8,0.1,0.1"}


def conlleval_script() -> Path | None:
    """The original conlleval Perl script: $CONLLEVAL, else conlleval(.pl) on the PATH (no registry
    reachable here ships it, so it is found only where someone put it)."""
    given = os.environ.get("CONLLEVAL")
    if given:
        return Path(given)
    found = shutil.which("conlleval.pl") or shutil.which("conlleval")
    return Path(found) if found else None


@dataclass(frozen=True)
class Expected:
    """What the source corpus holds: what every client should find in our exports."""

    documents: int
    spans: int
    entities: int  # what a tag scheme holds: the spans that overlap no longer span
    links: int


def expected_counts(path: Path) -> Expected:
    documents = spans = entities = links = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        documents += 1
        items = record["spans"]
        spans += len(items)
        links += sum(1 for s in items if s.get("kb_id"))
        kept: list[tuple[int, int]] = []
        for s in sorted(items, key=lambda s: (s["start"] - s["end"], s["start"])):  # longest first
            if all(s["end"] <= a or b <= s["start"] for a, b in kept):
                kept.append((s["start"], s["end"]))
        entities += len(kept)
    return Expected(documents, spans, entities, links)


@dataclass(frozen=True)
class Exports:
    name: str
    folder: Path
    expected: Expected

    def __truediv__(self, name: str) -> Path:
        return self.folder / name


def _cli(db: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "--user", "alice", *args], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stderr)


@pytest.fixture(scope="module", params=["hard", "dev"])
def exports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Exports:
    """Every export of one corpus's gold layer, written once for the module."""
    source = HARD_CASES if request.param == "hard" else dev_corpus()
    if source is None:
        pytest.skip("the dev corpus (shared/corpus/gum_dev.jsonl) is not beside this checkout")
    folder = tmp_path_factory.mktemp(f"clients-{request.param}")
    db = folder / "project.db"
    _cli(db, "import", str(source), "--as", "gold")
    split = SPLITS[request.param]
    for args in (
        ("conll", "--out", "iob2.conll"),
        ("conll", "--columns", "4", "--out", "iob2.4.conll"),
        ("conll", "--scheme", "bilou", "--out", "bilou.conll"),
        ("jsonl", "--out", "gold.jsonl"),
        ("jsonl", "--split", split, "--out", "jsonl-split"),
        ("doccano", "--out", "gold.doccano.jsonl"),
        ("doccano", "--split", split, "--out", "doccano-split"),
        ("spacy", "--out", "gold.spacy"),
        ("spacy", "--split", split, "--out", "spacy-split"),
        ("brat", "--out", "brat"),
    ):
        fmt, *rest = args
        _cli(db, "export", "--format", fmt, *[str(folder / a) if a == rest[-1] else a for a in rest])
    return Exports(request.param, folder, expected_counts(source))


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=240, check=False
    )


def _docbin(path: Path) -> list[Any]:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    docs = []
    for file in sorted(path.glob("*.spacy")) if path.is_dir() else [path]:
        docs.extend(DocBin().from_disk(file).get_docs(spacy.blank("xx").vocab))
    return docs


# --- spaCy ------------------------------------------------------------------------------------------


def test_spacy_convert_finds_every_document_and_entity(exports: Exports) -> None:
    pytest.importorskip("spacy")
    out = exports / "converted"
    out.mkdir(exist_ok=True)
    done = _python("-m", "spacy", "convert", "-c", "ner", str(exports / "iob2.4.conll"), str(out), cwd=out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No document delimiters found" not in done.stdout
    docs = _docbin(out / "iob2.4.spacy")
    assert len(docs) == exports.expected.documents
    assert sum(len(doc.ents) for doc in docs) == exports.expected.entities
    assert not any(token.text == "-DOCSTART-" for doc in docs for token in doc)


def test_our_docbin_holds_every_span_and_kb_id(exports: Exports) -> None:
    docs = _docbin(exports / "gold.spacy")
    assert len(docs) == exports.expected.documents
    assert sum(len(doc.ents) for doc in docs) == exports.expected.entities
    assert sum(len(doc.spans["sc"]) for doc in docs) == exports.expected.spans
    assert sum(1 for doc in docs for span in doc.spans["sc"] if span.kb_id_) == exports.expected.links
    assert len(_docbin(exports / "spacy-split")) == exports.expected.documents


@pytest.fixture(scope="module")
def ner_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spaCy's own starter config for a blank English NER pipeline."""
    pytest.importorskip("spacy")
    config = tmp_path_factory.mktemp("spacy") / "ner.cfg"
    done = _python("-m", "spacy", "init", "config", "-l", "en", "-p", "ner", str(config), cwd=config.parent)
    assert done.returncode == 0, done.stderr
    return config


def _parts(exports: Exports) -> list[str]:
    folder = exports / "spacy-split"
    return ["--paths.train", str(folder / "train.spacy"), "--paths.dev", str(folder / "dev.spacy")]


def test_spacy_debug_data_finds_no_misaligned_entity(exports: Exports, ner_config: Path) -> None:
    done = _python("-m", "spacy", "debug", "data", str(ner_config), *_parts(exports), cwd=exports.folder)
    report = done.stdout
    assert "0 missing value(s) (tokens with '-' label)" in report, report  # no entity off spaCy's tokens
    assert "No entities consisting of or starting/ending with whitespace" in report, report
    assert "No entities crossing sentence boundaries" in report, report
    labels = {line.split("'")[1] for line in report.splitlines() if "examples for label" in line}
    assert labels <= {"ACTOR", "PLACE", "EVENT"}


def test_spacy_trains_a_blank_ner_for_two_epochs(exports: Exports, ner_config: Path) -> None:
    out = exports / "trained"
    small = [
        "--training.max_epochs", "2", "--training.max_steps", "0", "--training.eval_frequency", "100",
        "--components.tok2vec.model.encode.width", "32", "--components.tok2vec.model.encode.depth", "1",
        "--components.tok2vec.model.embed.rows", "[500,100,250,250]",
    ]  # fmt: skip
    args = ["-m", "spacy", "train", str(ner_config), *_parts(exports), *small, "--output", str(out)]
    done = _python(*args, cwd=exports.folder)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (out / "model-last" / "ner").is_dir()


# --- conlleval, seqeval, nltk -----------------------------------------------------------------------


def _self_comparison(conll: Path) -> str:
    """conlleval's input: each token line with its tag again as the guess."""
    lines = conll.read_text(encoding="utf-8").split("\n")
    return "\n".join(f"{line} {line.split(' ')[-1]}" if line else line for line in lines)


@pytest.mark.parametrize("name", ["iob2.conll", "iob2.4.conll"])
def test_conlleval_port_scores_a_self_comparison_100(exports: Exports, name: str) -> None:
    conlleval = pytest.importorskip("conlleval")
    result = conlleval.evaluate(_self_comparison(exports / name).split("\n"))
    chunks = result["overall"]["chunks"]
    assert chunks["stats"] == {"gold": exports.expected.entities, "pred": exports.expected.entities,
                               "correct": exports.expected.entities}  # fmt: skip
    assert chunks["evals"]["f1"] == 1.0


@pytest.mark.parametrize("name", ["iob2.conll", "iob2.4.conll"])
def test_the_original_conlleval_scores_a_self_comparison_100(exports: Exports, name: str) -> None:
    script = conlleval_script()
    if script is None or shutil.which("perl") is None:
        pytest.skip(
            "the original conlleval.pl is not on this machine (no registry reachable here ships it; "
            "set CONLLEVAL=/path/to/conlleval.pl); its PyPI port ran instead"
        )
    done = subprocess.run(
        ["perl", str(script)], input=_self_comparison(exports / name), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    n = exports.expected.entities
    assert f"with {n} phrases; found: {n} phrases; correct: {n}." in done.stdout, done.stdout
    assert "FB1: 100.00" in done.stdout


def _sentences(conll: Path) -> Iterator[list[str]]:
    """Each sentence's tags, the document-start lines left out."""
    tags: list[str] = []
    for line in [*conll.read_text(encoding="utf-8").split("\n"), ""]:
        if not line:
            if tags:
                yield tags
            tags = []
        elif not line.startswith("-DOCSTART- "):
            tags.append(line.split(" ")[-1])


def test_seqeval_finds_the_entities_in_both_schemes(exports: Exports) -> None:
    pytest.importorskip("seqeval")
    from seqeval.metrics import f1_score
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import BILOU, IOB2, Entities

    iob2 = list(_sentences(exports / "iob2.conll"))
    bilou = list(_sentences(exports / "bilou.conll"))
    assert len(get_entities(iob2)) == exports.expected.entities
    for tags, scheme in ((iob2, IOB2), (bilou, BILOU)):
        strict = Entities(tags, scheme)  # strict mode: a malformed sequence would lose its entity
        assert sum(len(sentence) for sentence in strict.entities) == exports.expected.entities
        assert f1_score(tags, tags, mode="strict", scheme=scheme) == 1.0


NLTK_COLUMNS = [("iob2.conll", ("words", "pos")), ("iob2.4.conll", ("words", "pos", "ignore", "chunk"))]


@pytest.mark.parametrize(("name", "columns"), NLTK_COLUMNS)
def test_nltk_conll_reader_sees_documents_sentences_and_entities(
    exports: Exports, name: str, columns: tuple[str, ...]
) -> None:
    nltk = pytest.importorskip("nltk")
    from nltk.corpus.reader import ConllCorpusReader

    nltk.data.path.append(str(exports.folder))  # nltk reads only from the folders it is given
    reader = ConllCorpusReader(str(exports.folder), [name], columntypes=columns)
    if "chunk" in columns:
        sentences = [[tag for _, _, tag in sentence] for sentence in reader.iob_sents()]
    else:  # two columns: the tag column read as the second (nltk's "pos")
        sentences = [[tag for _, tag in sentence] for sentence in reader.tagged_sents()]
    assert sentences.count([]) == exports.expected.documents  # each document-start line, read as such
    tags = Counter(tag[:2] for sentence in sentences for tag in sentence)
    assert tags["B-"] == exports.expected.entities
    assert len([s for s in sentences if s]) == len(list(_sentences(exports / name)))


# --- Hugging Face datasets --------------------------------------------------------------------------


def _load(files: list[Path] | dict[str, list[Path]], cache: Path) -> Any:
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    data_files: Any = (
        [str(f) for f in files]
        if isinstance(files, list)
        else {k: [str(f) for f in v] for k, v in files.items()}
    )
    return datasets.load_dataset("json", data_files=data_files, cache_dir=str(cache))


def test_datasets_loads_every_jsonl_shape_with_one_schema(exports: Exports) -> None:
    cache = exports / "hf-cache"
    parts = sorted((exports / "jsonl-split").glob("*.jsonl"))
    span_keys = ["start", "end", "label", "token_start", "token_end", "kb_id"]
    shapes: list[list[Path] | dict[str, list[Path]]] = [
        [exports / "gold.jsonl"],
        parts,  # every part as one split: one schema across files
        {p.stem: [p] for p in parts},
    ]
    for files in shapes:
        loaded = _load(files, cache)
        assert sum(len(ds) for ds in loaded.values()) == exports.expected.documents
        assert sum(len(r["spans"]) for ds in loaded.values() for r in ds) == exports.expected.spans
        for ds in loaded.values():
            spans = ds.features["spans"]
            inner = getattr(spans, "feature", spans[0] if isinstance(spans, list) else spans)
            assert list(inner) == span_keys, inner  # a struct of named columns, not opaque JSON
        linked = sum(1 for ds in loaded.values() for r in ds for s in r["spans"] if s["kb_id"])
        assert linked == exports.expected.links
    doccano_parts = sorted((exports / "doccano-split").glob("*.jsonl"))
    for files in ([exports / "gold.doccano.jsonl"], doccano_parts):
        loaded = _load(files, cache)
        assert sum(len(r["label"]) for ds in loaded.values() for r in ds) == exports.expected.spans


# --- brat and our own readers -----------------------------------------------------------------------

BRAT_VALIDATOR = r"""
import os, sys, types
brat, *files = sys.argv[1:]
config = types.ModuleType("config")  # what brat's server reads from its config.py, for a command line run
config.BASE_DIR = config.DATA_DIR = os.path.dirname(os.path.dirname(os.path.abspath(files[0])))
config.WORK_DIR, config.DEBUG, config.TUTORIALS, config.USER_PASSWORD = "/tmp", False, False, {}
config.LL_DEBUG, config.LL_INFO, config.LL_WARNING, config.LL_ERROR, config.LL_CRITICAL = range(5)
config.LOG_LEVEL, config.ADMIN_CONTACT_EMAIL = config.LL_WARNING, ""
sys.modules["config"] = config
sys.path.insert(0, os.path.join(brat, "server", "src"))
import annotation
# brat opens files in mode 'rU', which Python 3.11 removed; the same read without it
annotation.open_textfile = lambda name, mode="r": open(
    name, mode.replace("U", ""), encoding="utf8", errors="strict", newline=""
)
import verify_annotations
verify_annotations.main(["verify_annotations.py", *files])
"""


def brat_checkout() -> Path | None:
    given = os.environ.get("BRAT_SOURCE")
    return Path(given) if given and (Path(given) / "server" / "src").is_dir() else None


def test_brats_own_validator_accepts_the_brat_folder(exports: Exports) -> None:
    brat = brat_checkout()
    if brat is None:
        pytest.skip("brat is not in any registry reachable here: set BRAT_SOURCE to a brat checkout")
    copy = exports / "brat-checked"  # brat writes the .ann files back in its own layout when it reads them
    shutil.copytree(exports / "brat", copy, dirs_exist_ok=True)
    anns = sorted(str(p) for p in copy.glob("*.ann"))
    done = subprocess.run(
        [sys.executable, "-c", BRAT_VALIDATOR, str(brat), *anns], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", done.stdout  # one line per issue found


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("gold.jsonl", "spans"),
        ("jsonl-split", "spans"),
        ("gold.doccano.jsonl", "spans"),
        ("brat", "spans"),
        ("gold.spacy", "spans"),
        ("iob2.conll", "entities"),
        ("bilou.conll", "entities"),
    ],
)
def test_every_export_imports_back_with_its_spans(
    exports: Exports, path: str, count: str, tmp_path: Path
) -> None:
    db = tmp_path / "back.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(exports / path), "--as", "back"])
    assert result.exit_code == 0, result.stderr
    documents, spans = (int(w) for w in result.stdout.split()[1:5:3])
    assert documents == exports.expected.documents
    assert spans == getattr(exports.expected, count)
