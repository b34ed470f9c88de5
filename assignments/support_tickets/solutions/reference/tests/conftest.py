"""Shared fixtures: a factory for small synthetic ticket tables and the real training file."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from .factories import make_tickets


@pytest.fixture
def tickets() -> pd.DataFrame:
    return make_tickets()


@pytest.fixture
def tickets_csv(tmp_path: Path, tickets: pd.DataFrame) -> Path:
    path = tmp_path / "train.csv"
    tickets.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def real_train() -> pd.DataFrame:
    """The assignment's training data; the grading sandbox sets TRAIN_CSV."""
    from ticketclf.data import load_tickets

    path = os.environ.get("TRAIN_CSV")
    if not path:
        pytest.skip("set TRAIN_CSV to the training CSV to run the tests on real data")
    return load_tickets(path, require_label=True)
