import pandas as pd

from pipeline import make_pipeline, text_of


def test_text_of_joins_and_lowercases():
    df = pd.DataFrame({"subject": ["Login"], "body": ["HELP"]})
    assert text_of(df).tolist() == ["login \n help"]


def test_pipeline_predicts_trained_classes():
    texts = ["refund me", "refund please", "cannot login", "login broken"] * 4
    labels = ["refund", "refund", "account_access", "account_access"] * 4
    pipe = make_pipeline().fit(texts, labels)
    assert set(pipe.predict(["refund me now"])) <= {"refund", "account_access"}
