from pathlib import Path

import pandas as pd
import pytest

ROWS = [
    ("T-1", "Cannot log in", "my password reset email never comes", "account_access"),
    ("T-2", "Locked out", "account locked after too many sign in attempts", "account_access"),
    ("T-3", "Invoice question", "why is my invoice higher this month", "billing"),
    ("T-4", "Plan price", "charged for growth plan but I am on starter", "billing"),
    ("T-5", "Reader late", "my card reader delivery has not arrived", "shipping"),
    ("T-6", "Tracking", "tracking for my reader order is stuck", "shipping"),
] * 3


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    frame = pd.DataFrame(ROWS, columns=["id", "subject", "body", "label"])
    frame["id"] = [f"{i}-{n}" for n, i in enumerate(frame["id"])]
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path
