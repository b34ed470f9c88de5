"""Reading tickets and writing predictions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REQUIRED = ("id", "subject", "body", "channel", "customer_plan", "product_area")


def read_tickets(path: str | Path, *, labelled: bool = False) -> pd.DataFrame:
    """Load a ticket CSV as strings; missing cells become empty strings."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = [*REQUIRED, "label"] if labelled else list(REQUIRED)
    missing = sorted(set(needed) - set(frame.columns))
    if missing:
        raise ValueError(f"{path} lacks column(s): {', '.join(missing)}")
    return frame


def write_predictions(ids: pd.Series, labels: list[str], path: str | Path) -> None:
    """Write the ``id,label`` file the grader expects."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": list(ids), "label": labels}).to_csv(path, index=False)
