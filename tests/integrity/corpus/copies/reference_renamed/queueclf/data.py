"""Reading ticket CSV files and checking they have what the model needs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = [
    "ID_COLUMN",
    "LABEL_COLUMN",
    "META_COLUMNS",
    "TEXT_COLUMNS",
    "DataError",
    "load_tickets",
    "write_predictions",
]

ID_COLUMN = "id"
LABEL_COLUMN = "label"
TEXT_COLUMNS = ("subject", "body")
META_COLUMNS = ("channel", "customer_plan", "product_area")


class DataError(ValueError):
    """A CSV file does not have the shape this package expects."""


def load_tickets(path: str | Path, *, require_label: bool = False) -> pd.DataFrame:
    """Read a ticket CSV; every value is a string and missing values are empty strings.

    Raises :class:`DataError` naming the missing columns when the file lacks the id, text or
    metadata columns (or the label, when ``require_label`` is set).
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    needed = [ID_COLUMN, *TEXT_COLUMNS, *META_COLUMNS]
    if require_label:
        needed.append(LABEL_COLUMN)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}; found {list(frame.columns)}")
    if frame[ID_COLUMN].duplicated().any():
        first = frame.loc[frame[ID_COLUMN].duplicated(), ID_COLUMN].iloc[0]
        raise DataError(f"{path}: duplicate ticket id {first!r}")
    if require_label and (frame[LABEL_COLUMN] == "").any():
        raise DataError(f"{path}: {int((frame[LABEL_COLUMN] == '').sum())} row(s) have an empty label")
    return frame


def write_predictions(ids: pd.Series, labels: list[str], path: str | Path) -> None:
    """Write ``id,label`` rows, one per ticket, in the order given."""
    if len(ids) != len(labels):
        raise ValueError(f"{len(ids)} ids but {len(labels)} labels")
    out = pd.DataFrame({ID_COLUMN: ids.to_numpy(), LABEL_COLUMN: labels})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8")
