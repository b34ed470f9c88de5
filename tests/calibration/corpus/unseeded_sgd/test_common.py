import pandas as pd

from common import read_tickets


def test_read_tickets_builds_text(tmp_path):
    pd.DataFrame({"id": ["a"], "subject": ["Hello"], "body": ["WORLD"]}).to_csv(tmp_path / "t.csv", index=False)
    assert read_tickets(tmp_path / "t.csv")["text"].tolist() == ["hello world"]


def test_read_tickets_missing_body(tmp_path):
    pd.DataFrame({"id": ["a"], "subject": ["Hello"], "body": [None]}).to_csv(tmp_path / "t.csv", index=False)
    assert read_tickets(tmp_path / "t.csv")["text"].tolist() == ["hello "]
