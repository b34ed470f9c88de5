import pandas as pd

from ticket_triage.evaluation import oof_predictions, per_class_f1
from ticket_triage.pipeline import build, prepare


def tickets(n=6):
    rows = []
    for label, area, text in [("shipping", "hardware", "my reader order never arrived"),
                              ("how_to", "", "how do I export my sales report"),
                              ("security_privacy", "account", "someone I fired still has access")]:
        rows += [{"id": f"{label}{i}", "subject": text[:10], "body": text, "product_area": area,
                  "label": label} for i in range(n)]
    return pd.DataFrame(rows)


def test_prepare_keeps_index_and_columns():
    df = tickets().iloc[::2]
    prepared = prepare(df)
    assert list(prepared.columns) == ["text", "product_area"]
    assert prepared.index.equals(df.index)


def test_pipeline_fits_and_predicts_the_three_queues():
    df = tickets()
    assert list(build().fit(prepare(df), df["label"]).predict(prepare(df))) == df["label"].tolist()


def test_out_of_fold_predictions_cover_every_ticket():
    df = tickets()
    pred = oof_predictions(df, folds=3)
    assert pred.index.equals(df.index)
    assert per_class_f1(df["label"], pred).min() > 0.9
