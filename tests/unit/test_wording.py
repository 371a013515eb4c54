"""The one rule for a counted word: the singular for exactly one, else the plural (``s``, or as given)."""

from __future__ import annotations

import pytest

from annotator.wording import counted, plural


@pytest.mark.parametrize(
    ("count", "said"),
    [(0, "0 documents"), (1, "1 document"), (2, "2 documents"), (22, "22 documents")],
)
def test_counted_takes_the_singular_for_one_only(count: int, said: str) -> None:
    assert counted(count, "document") == said


@pytest.mark.parametrize(("count", "said"), [(0, "0 statuses"), (1, "1 status"), (2, "2 statuses")])
def test_counted_takes_the_plural_given(count: int, said: str) -> None:
    assert counted(count, "status", "statuses") == said


def test_a_word_of_two_takes_the_s_at_its_end() -> None:
    assert counted(1, "layer document") == "1 layer document"
    assert counted(3, "layer document") == "3 layer documents"


def test_plural_is_the_word_alone_for_a_list_of_names() -> None:
    assert [plural(n, "layer") for n in (0, 1, 2)] == ["layers", "layer", "layers"]
    assert plural(2, "status", "statuses") == "statuses"
    assert plural(1, "status", "statuses") == "status"


def test_the_export_summary_says_each_count_in_its_form() -> None:
    from annotator.export.run import ExportSummary

    one = ExportSummary("gold", "all", ["o.jsonl"], documents=1, spans=1, tokens=1, widened=1, dropped=1)
    assert one.describe(verbose=True) == (
        "exported 1 document, 1 span, 1 token from layer 'gold' (all documents) to o.jsonl;"
        " 1 span widened to whole tokens, 1 span dropped (overlapping: the longest kept; or holding no token)"
    )
    two = ExportSummary("gold", "done", ["o.jsonl"], documents=2, spans=0, tokens=2)
    assert two.describe() == (
        "exported 2 documents, 0 spans, 2 tokens from layer 'gold' (documents marked done) to o.jsonl"
    )
