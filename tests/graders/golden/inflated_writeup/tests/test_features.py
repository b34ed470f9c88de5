import pandas as pd

from features import build_text, clean_text, drop_signoff
from predict import predict
from train import make_model


def test_clean_text_lowercases_and_collapses_spaces():
    assert clean_text("Hello   WORLD\n\n") == "hello world"


def test_clean_text_drops_quoted_reply():
    text = "Refund please\n-----Original Message-----\nold stuff"
    assert clean_text(text) == "refund please"


def test_build_text_has_one_string_per_row():
    df = pd.DataFrame({"subject": ["A", "B"], "body": ["x", "y"]})
    out = build_text(df)
    assert len(out) == 2
    assert out[0] == "a x"


def test_drop_signoff():
    assert drop_signoff("the app crashes on login thanks") == "the app crashes on login"


def test_model_predicts_known_labels():
    df = pd.DataFrame(
        {
            "id": [str(i) for i in range(40)],
            "subject": ["refund money back", "app crash error"] * 20,
            "body": ["please refund my money", "the app crashes with an error"] * 20,
            "label": ["refund", "bug_report"] * 20,
        }
    )
    model = make_model()
    model.fit(build_text(df), df["label"])
    out = predict(model, df)
    assert list(out.columns) == ["id", "label"]
    assert (out["label"] == df["label"]).mean() > 0.9
