"""Reading and writing files."""
from __future__ import annotations

import pandas as pd


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_predictions(ids, labels, path: str) -> None:
    pd.DataFrame({"id": list(ids), "label": list(labels)}).to_csv(path, index=False)
