import pandas as pd

from utils import make_text, preprocess


def test_preprocess():
    assert preprocess("Hello World! 123") == "hello world"


def test_make_text():
    df = pd.DataFrame({"subject": ["A"], "body": ["b"]})
    assert make_text(df).tolist() == ["a b"]
