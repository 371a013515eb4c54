"""Round trips and independent readers: export → import gives the same spans, for every format; seqeval and
spaCy read our tags as the entities we meant."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.export import ExportRequest, export
from annotator.formats import conll
from annotator.importing import find_files, read_files
from annotator.model import ImportRecord, Span
from annotator.store import Store
from annotator.text import sentences, tokenize
from tests.conftest import GOLDEN

LABELS = ("ACTOR", "PLACE", "EVENT")
WORDS = ("Paris", "Baku", "Saint-Germain", "3,000", "Émile", "李", "京", "🇫🇷", "👩\u200d👩\u200d👧", "’s",
         "’", ",", ".", "\"", "(", "Nagorno", "e\u0301", "Ωμέγα", "1.5", "U.S")  # fmt: skip
GAPS = (" ", " ", " ", "  ", "\u00a0", "\n", "\n\n", "\t", " \u3000 ", "")
ROUND_TRIP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def token_aligned_documents(draw: st.DrawFn, overlapping: bool) -> tuple[str, list[Span]]:
    """A text of words and gaps, with spans on whole tokens of our tokenizer (disjoint unless asked)."""
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)), min_size=1, max_size=25))
    text = draw(st.sampled_from(("", " ", "\n"))) + "".join(w + g for w, g in parts)
    tokens = tokenize(text)
    n = len(tokens)
    spans: set[Span] = set()
    if overlapping:
        for _ in range(draw(st.integers(0, 6))):
            first = draw(st.integers(0, n - 1))
            last = draw(st.integers(first + 1, min(n, first + 4)))
            spans.add(Span(tokens[first][0], tokens[last - 1][1], draw(st.sampled_from(LABELS))))
    else:
        cuts = sorted(draw(st.sets(st.integers(0, n), max_size=8)))
        for first, last in pairwise(cuts):
            if draw(st.booleans()):
                spans.add(Span(tokens[first][0], tokens[last - 1][1], draw(st.sampled_from(LABELS))))
    return text, sorted(spans, key=lambda s: (s.start, -s.end, s.label))


def _kb(spans: list[Span], draw: st.DrawFn) -> list[Span]:
    return [
        Span(s.start, s.end, s.label, draw(st.sampled_from((None, "Q42", "geonames:1", "KB:x y"))))
        for s in spans
    ]


def _roundtrip(
    docs: list[tuple[str, list[Span]]], fmt: str, **options: object
) -> list[tuple[str, list[Span]]]:
    """Import ``docs`` into a database as layer gold, export them, import the export into another one."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store(folder / "a.db") as store:
            store.documents.import_records(
                (ImportRecord(text, f"d{i}", "test", spans=spans) for i, (text, spans) in enumerate(docs)),
                default_layer="gold",
            )
            out = folder / ("brat" if fmt == "brat" else f"out.{fmt}")
            export(store, ExportRequest(fmt=fmt, user="x", layer="gold", out=out, **options))  # type: ignore[arg-type]
        with Store(folder / "b.db") as store:
            store.documents.import_records(read_files(find_files([out], fmt)), default_layer="gold")
            ids = store.documents.ids()
            return [(store.documents.get(i).text, store.edits.spans(i, "gold")) for i in ids]


def _plain(spans: list[Span], kb: bool = False) -> list[tuple[int, int, str, str | None]]:
    return sorted((s.start, s.end, s.label, s.kb_id if kb else None) for s in spans)


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat"])
@ROUND_TRIP
@given(data=st.data())
def test_jsonl_doccano_brat_keep_text_and_every_span(fmt: str, data: st.DataObject) -> None:
    docs = data.draw(st.lists(token_aligned_documents(overlapping=True), min_size=1, max_size=4))
    docs = [(text, _kb(spans, data.draw)) for text, spans in docs]
    unique = list({text: (text, spans) for text, spans in docs}.values())  # the store keeps one copy
    back = _roundtrip(unique, fmt)
    kb = fmt != "doccano"
    assert [(t, _plain(s, kb)) for t, s in back] == [(t, _plain(s, kb)) for t, s in unique]


ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t\u00a0\u2028\ufeff"), min_size=1
).filter(lambda t: t.strip() != "")


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat"])
@ROUND_TRIP
@given(data=st.data())
def test_spans_anywhere_in_any_text_survive(fmt: str, data: st.DataObject) -> None:
    text = data.draw(ANY_TEXT)
    n = len(text)
    spans = set()
    for _ in range(data.draw(st.integers(0, 5))):
        start = data.draw(st.integers(0, n - 1))
        spans.add(Span(start, data.draw(st.integers(start + 1, n)), data.draw(st.sampled_from(LABELS))))
    [(back_text, back_spans)] = _roundtrip([(text, sorted(spans, key=lambda s: s.start))], fmt)
    assert back_text == text
    assert _plain(back_spans) == _plain(list(spans))


@pytest.mark.parametrize(("scheme", "columns"), [("iob2", 2), ("bilou", 4)])
@ROUND_TRIP
@given(data=st.data())
def test_conll_gives_the_same_tokens_and_entities(scheme: str, columns: int, data: st.DataObject) -> None:
    docs = data.draw(st.lists(token_aligned_documents(overlapping=False), min_size=1, max_size=4))
    # Texts that differ only in their spaces are one text in CoNLL: a first line of its own keeps them apart.
    unique = [
        (
            f"Doc{i}\n{text}",
            [Span(s.start + len(f"Doc{i}\n"), s.end + len(f"Doc{i}\n"), s.label) for s in spans],
        )
        for i, (text, spans) in enumerate(docs)
    ]
    back = _roundtrip(unique, "conll", scheme=scheme, columns=columns)
    assert len(back) == len(unique)
    for (text, spans), (rebuilt, back_spans) in zip(unique, back, strict=True):
        tokens = tokenize(text)
        words = [m.span() for m in re.finditer(r"[^ \n]+", rebuilt)]  # the CoNLL tokens, as rebuilt
        assert [rebuilt[s:e] for s, e in words] == [text[s:e] for s, e in tokens]
        sent_lines = rebuilt.split("\n")
        assert len(sent_lines) <= len(sentences(text, tokens))  # sentences joined only around entities
        starts = {s: i for i, (s, _) in enumerate(words)}
        ends = {e: i + 1 for i, (_, e) in enumerate(words)}
        expected = [(e.first, e.last, e.label) for e in conll.place_spans(tokens, spans)[0]]
        assert sorted((starts[s.start], ends[s.end], s.label) for s in back_spans) == expected


def _conll_sentences(path: Path) -> list[list[tuple[str, str]]]:
    """(word, tag) per sentence of a CoNLL file, -DOCSTART- lines left out."""
    found: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        fields = line.split(" ")
        if fields[0] == "-DOCSTART-":
            continue
        if line:
            found[-1].append((fields[0], fields[-1]))
        elif found[-1]:
            found.append([])
    return [s for s in found if s]


def _fixture_entities() -> list[list[tuple[str, tuple[str, ...]]]]:
    """What the fixture's export means to hold: (label, words) of each kept entity, per document."""
    from tests.export_fixture import records

    result = []
    for record in records():
        text = record["text"]
        tokens = tokenize(text)
        spans = [Span(s["start"], s["end"], s["label"]) for s in record["spans"]]
        kept, _ = conll.place_spans(tokens, sorted(spans, key=lambda s: (s.start, -s.end, s.label)))
        result.append([(e.label, tuple(text[s:t] for s, t in tokens[e.first : e.last])) for e in kept])
    return result


@pytest.mark.parametrize(("golden", "scheme"), [("gold.conll", "IOB2"), ("gold.bilou.4.conll", "BILOU")])
def test_seqeval_reads_our_tags_as_the_entities_meant(golden: str, scheme: str) -> None:
    from seqeval import scheme as schemes

    sents = _conll_sentences(GOLDEN / golden)
    found = schemes.Entities([[t for _, t in s] for s in sents], scheme=getattr(schemes, scheme))
    read = [
        (e.tag, tuple(w for w, _ in sents[e.sent_id][e.start : e.end])) for es in found.entities for e in es
    ]
    assert read == [entity for doc in _fixture_entities() for entity in doc]
    assert len(read) == 24


@ROUND_TRIP
@given(doc=token_aligned_documents(overlapping=True))
def test_spacy_offsets_to_biluo_tags_agrees_with_ours(doc: tuple[str, list[Span]]) -> None:
    import spacy
    from spacy.tokens import Doc
    from spacy.training import offsets_to_biluo_tags

    text, spans = doc
    tokens = tokenize(text)
    entities, _ = conll.place_spans(tokens, spans)
    # A spaCy Doc whose text is exactly ours: our tokens, and any gap other than one space as its own token.
    words: list[str] = []
    spaces: list[bool] = []
    ours: list[int] = []  # index in ``words`` of each of our tokens
    at = 0
    for start, end in tokens:
        gap = text[at:start]
        if gap == " " and words:
            spaces[-1] = True
        elif gap:
            words.append(gap)
            spaces.append(False)
        ours.append(len(words))
        words.append(text[start:end])
        spaces.append(False)
        at = end
    if text[at:]:
        words.append(text[at:])
        spaces.append(False)
    spacy_doc = Doc(spacy.blank("xx").vocab, words=words, spaces=spaces)
    assert spacy_doc.text == text
    offsets = [(tokens[e.first][0], tokens[e.last - 1][1], e.label) for e in entities]
    theirs = offsets_to_biluo_tags(spacy_doc, offsets)
    assert [theirs[i] for i in ours] == conll.tags(len(tokens), entities, "bilou")


def test_spacy_convert_accepts_our_conll_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "convert",
            str(GOLDEN / "gold.conll"),
            str(tmp_path),
            "--converter",
            "ner",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(tmp_path / "gold.spacy").get_docs(spacy.blank("xx").vocab))
    words = [t.text for d in docs for t in d if t.text != "-DOCSTART-"]
    assert words == [w for s in _conll_sentences(GOLDEN / "gold.conll") for w, _ in s]
    entities = [(e.label_, tuple(t.text for t in e)) for d in docs for e in d.ents]
    assert entities == [entity for doc in _fixture_entities() for entity in doc]
