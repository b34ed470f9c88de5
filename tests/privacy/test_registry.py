"""Every table is either covered by a holder of candidate data or declared free of it, so an
erasure cannot forget a table; holders cover real tables, each table once."""

from __future__ import annotations

from collections import Counter

from harness.migrations.all_models import Base
from harness.retention.registry import HOLDERS, NO_CANDIDATE_DATA


def _forgotten(tables: set[str]) -> list[str]:
    covered = {t for h in HOLDERS for t in h.tables}
    return sorted(tables - covered - set(NO_CANDIDATE_DATA))


def test_every_table_is_covered_or_declared_free_of_candidate_data() -> None:
    forgotten = _forgotten(set(Base.metadata.tables))
    assert not forgotten, (
        f"tables with no privacy holder: {forgotten}. Add a holder to "
        "harness.retention.registry.HOLDERS, or list the table in NO_CANDIDATE_DATA with why"
    )


def test_holders_name_real_tables_once_and_never_a_declared_free_one() -> None:
    tables = set(Base.metadata.tables)
    counts = Counter(t for h in HOLDERS for t in h.tables)
    assert set(counts) <= tables, sorted(set(counts) - tables)
    assert [t for t, n in counts.items() if n > 1] == []
    assert not set(counts) & set(NO_CANDIDATE_DATA)
    assert set(NO_CANDIDATE_DATA) <= tables


def test_a_new_table_would_be_caught() -> None:
    """Near miss for the first test: a table nobody declared is reported, by name."""
    assert _forgotten({*Base.metadata.tables, "interview_recordings"}) == ["interview_recordings"]


def test_holder_names_are_unique() -> None:
    names = [h.name for h in HOLDERS]
    assert len(names) == len(set(names))
