import pandas as pd

from features import text


def test_text_joins_subject_and_body_lowercase():
    df = pd.DataFrame({"subject": ["Card Reader"], "body": ["Won't PAIR"]})
    assert text(df).tolist() == ["card reader won't pair"]


def test_text_keeps_row_order():
    df = pd.DataFrame({"subject": ["b", "a"], "body": ["2", "1"]})
    assert text(df).tolist() == ["b 2", "a 1"]
