import pandas as pd

from tickets.__main__ import build
from tickets.features import combined_text, normalize


def test_normalize_drops_urls_and_symbols():
    assert normalize("See https://x.io/a?b=1 NOW!!") == "see now"


def test_combined_text_fills_missing():
    df = pd.DataFrame({"subject": [None, "Hi"], "body": ["Body", None]})
    assert combined_text(df).tolist() == ["body", "hi"]


def test_model_learns_simple_split():
    x = ["refund please", "want refund", "login fails", "cannot login"] * 3
    y = ["refund", "refund", "account_access", "account_access"] * 3
    assert build().fit(x, y).predict(["refund"])[0] == "refund"
