import pandas as pd
from pipeline import build_pipeline, prepare


def frame() -> pd.DataFrame:
    rows = [
        ("refund please", "I want my money back", "refund"),
        ("app crashes", "the app crashes on start", "bug_report"),
    ] * 10
    return pd.DataFrame(
        {
            "subject": [r[0] for r in rows],
            "body": [r[1] for r in rows],
            "channel": "email",
            "customer_plan": "free",
            "product_area": None,
            "label": [r[2] for r in rows],
        }
    )


def test_prepare_joins_subject_and_body():
    out = prepare(frame())
    assert out.loc[0, "text"] == "refund please \n I want my money back"
    assert out.loc[0, "product_area"] == ""


def test_pipeline_learns_two_queues():
    data = prepare(frame())
    model = build_pipeline().fit(data, data["label"])
    assert list(model.predict(data.head(2))) == ["refund", "bug_report"]
