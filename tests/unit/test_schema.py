"""The migrations: numbered once each and in order, and none under a name the former numbering used."""

from __future__ import annotations

from annotator.store.schema import FORMER_NAMES, migrations


def test_the_migrations_have_distinct_numbers() -> None:
    numbers = [m.name.split("_")[0] for m in migrations._migrations]
    assert len(set(numbers)) == len(numbers) and numbers == sorted(numbers)
    assert not set(FORMER_NAMES) & {m.name for m in migrations._migrations}
