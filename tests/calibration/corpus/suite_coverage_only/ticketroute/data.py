"""Reading ticket CSVs and writing predictions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REQUIRED = ("id", "subject", "body")
OPTIONAL = ("channel", "product_area")


class DataError(ValueError):
    """A ticket file the model cannot use."""


def load_tickets(path: str | Path, *, require_label: bool = False) -> pd.DataFrame:
    """Tickets as strings, missing optional columns and empty cells as ``""``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if require_label and "label" not in frame.columns:
        missing.append("label")
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    if frame["id"].duplicated().any():
        raise DataError(f"{path}: duplicate ticket ids")
    for column in OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def write_predictions(ids: pd.Series, labels: list[str], path: str | Path) -> None:
    """``id,label`` rows in the input's order."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": list(ids), "label": labels}).to_csv(out, index=False)
