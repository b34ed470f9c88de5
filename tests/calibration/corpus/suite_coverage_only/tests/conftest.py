import pandas as pd
import pytest

ROWS = [
    ("B1", "Charged twice", "My card was charged twice for the invoice.", "email", "billing", "billing"),
    ("B2", "Invoice wrong", "The invoice total is wrong, please fix the charge.", "chat", "billing", "billing"),
    ("B3", "Extra charge", "Why is there an extra charge on my card?", "email", "", "billing"),
    ("R1", "Refund please", "I cancelled, please refund my money.", "email", "orders", "refund"),
    ("R2", "Money back", "Refund the order, I want my money back.", "chat", "orders", "refund"),
    ("R3", "Refund request", "Requesting a refund for the returned reader.", "email", "", "refund"),
    ("S1", "App crashes", "The app crashes when I open reports.", "chat", "app", "bug_report"),
    ("S2", "Error on save", "Saving a product shows an error and crashes.", "email", "app", "bug_report"),
    ("S3", "Crash", "Crash on start, error 500 every time.", "email", "", "bug_report"),
]


@pytest.fixture
def tickets():
    return pd.DataFrame(ROWS, columns=["id", "subject", "body", "channel", "product_area", "label"])


@pytest.fixture
def tickets_csv(tmp_path, tickets):
    path = tmp_path / "train.csv"
    tickets.to_csv(path, index=False)
    return path
