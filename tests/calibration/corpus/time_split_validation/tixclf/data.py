"""Loading tickets and splitting them by time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ["id", "subject", "body", "channel", "customer_plan", "product_area", "created_at"]


def load(path: str | Path, labelled: bool = True) -> pd.DataFrame:
    """Read a ticket CSV; all values are strings, missing values empty."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = COLUMNS + (["label"] if labelled else [])
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise KeyError(f"{path} is missing {missing}")
    return frame


def time_split(frame: pd.DataFrame, holdout_fraction: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Oldest tickets for fitting, the most recent ``holdout_fraction`` for validation.

    Mimics how the model is used: trained on the past, applied to tickets that arrive later.
    Unparseable timestamps sort first (treated as old).
    """
    if not 0 < holdout_fraction < 1:
        raise ValueError("holdout_fraction must be between 0 and 1")
    order = pd.to_datetime(frame["created_at"], errors="coerce", utc=True).sort_values(na_position="first")
    cut = int(round(len(frame) * (1 - holdout_fraction)))
    return frame.loc[order.index[:cut]], frame.loc[order.index[cut:]]
