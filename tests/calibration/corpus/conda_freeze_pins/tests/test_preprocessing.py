import pandas as pd

from src.preprocessing import clean, preprocess


def test_clean_removes_quoted_reply():
    text = "My reader is broken\nOn Mon, Jan 1, Support wrote:\n> we shipped it"
    assert clean(text) == "my reader is broken"


def test_clean_removes_numbers_and_punctuation():
    assert clean("Order #1234 - URGENT!!") == "order urgent"


def test_preprocess_adds_text_column():
    df = pd.DataFrame({"subject": ["Hi"], "body": ["Refund please"]})
    assert preprocess(df)["text"].tolist() == ["hi refund please"]
