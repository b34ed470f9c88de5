"""Fixtures for the support-ticket assignment tests: the folder, its spec and its data files,
each read once per session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from harness.assignments.loader import Assignment, load_assignment
from harness.settings import Settings

ASSIGNMENT_DIR = Path(__file__).resolve().parents[2] / "assignments" / "support_tickets"


def read_tickets(path: Path) -> pd.DataFrame:
    """A data file as strings, empty cells kept as empty strings."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="session")
def assignment() -> Assignment:
    return load_assignment(str(ASSIGNMENT_DIR), Settings())


@pytest.fixture(scope="session")
def frames(assignment: Assignment) -> dict[str, pd.DataFrame]:
    """Every data file of the spec by its role: train, heldout_features, heldout_labels, ..."""
    data = assignment.spec.data
    roles = {
        "train": data.train,
        "heldout_features": data.heldout_features,
        "heldout_labels": data.heldout_labels,
        "shifted_features": data.shifted_features,
        "shifted_labels": data.shifted_labels,
    }
    return {role: read_tickets(assignment.path(rel)) for role, rel in roles.items() if rel}


@pytest.fixture(scope="session")
def metadata() -> dict[str, Any]:
    """What the generator recorded: noise ids, near-duplicates, counts, file hashes."""
    path = ASSIGNMENT_DIR / "private" / "generation_metadata.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def labelled(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Train, held-out and shifted tickets with their labels joined on."""
    return {
        "train": frames["train"],
        "heldout": frames["heldout_features"].merge(
            frames["heldout_labels"], on="id", validate="1:1"
        ),
        "shifted": frames["shifted_features"].merge(
            frames["shifted_labels"], on="id", validate="1:1"
        ),
    }
