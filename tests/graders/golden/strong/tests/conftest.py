"""Fixtures: a ticket table and the same table as a CSV file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.factories import make_tickets


@pytest.fixture
def tickets() -> pd.DataFrame:
    return make_tickets()


@pytest.fixture
def tickets_csv(tmp_path: Path, tickets: pd.DataFrame) -> Path:
    path = tmp_path / "train.csv"
    tickets.to_csv(path, index=False)
    return path
