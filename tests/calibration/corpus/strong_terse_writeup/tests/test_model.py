import pandas as pd

from queue_clf import model
from queue_clf.cli import cv, main

from .helpers import tickets


def test_fit_predict_learns_separable_queues():
    df = tickets()
    assert model.predict(model.fit(df), df) == list(df["label"])


def test_missing_metadata_and_unknown_channel_do_not_break_prediction():
    df = tickets()
    fitted = model.fit(df)
    odd = tickets(1, labelled=False)
    odd.loc[:, "channel"] = "fax"
    odd.loc[0, "customer_plan"] = ""
    assert len(model.predict(fitted, odd)) == len(odd)


def test_quoted_refund_history_does_not_turn_a_bug_into_a_refund():
    fitted = model.fit(tickets())
    t = tickets(1, labelled=False).iloc[[0]].copy()
    t["body"] = ("The app crashes every time I press charge.\n"
                 "On Mon, 1 Jan 2024, Support <s@t.com> wrote:\n> money back cancelled refund")
    assert model.predict(fitted, t) == ["bug_report"]


def test_cv_returns_scores_in_range():
    f1, acc = cv(tickets(6), folds=3)
    assert 0.9 <= f1 <= 1.0 and 0.9 <= acc <= 1.0


def test_cli_roundtrip(tmp_path):
    tickets().to_csv(tmp_path / "train.csv", index=False)
    tickets(2, labelled=False).to_csv(tmp_path / "test.csv", index=False)
    main(["train", "--input", str(tmp_path / "train.csv"), "--model-dir", str(tmp_path / "m")])
    main(["predict", "--input", str(tmp_path / "test.csv"), "--model-dir", str(tmp_path / "m"),
          "--output", str(tmp_path / "p.csv")])
    out = pd.read_csv(tmp_path / "p.csv")
    assert list(out.columns) == ["id", "label"]
    assert out["label"].tolist() == tickets(2)["label"].tolist()
