import os

import pandas as pd
import pytest

from triage import predict, train


def test_train_and_predict_commands_write_one_label_per_ticket(tmp_path, tickets):
    data = tmp_path / "train.csv"
    tickets.to_csv(data, index=False)
    unlabelled = tmp_path / "test.csv"
    tickets.drop(columns="label").to_csv(unlabelled, index=False)

    train.main(["--data", str(data), "--out", str(tmp_path / "model")])
    predict.main(["--model", str(tmp_path / "model"), "--tickets", str(unlabelled),
                  "--out", str(tmp_path / "pred.csv"), "--proba", str(tmp_path / "proba.csv")])

    pred = pd.read_csv(tmp_path / "pred.csv")
    assert list(pred.columns) == ["id", "label"]
    assert list(pred["id"]) == list(tickets["id"])
    assert set(pred["label"]) <= set(tickets["label"])
    assert len(pd.read_csv(tmp_path / "proba.csv")) == len(tickets)


def test_missing_columns_are_reported(tmp_path, tickets):
    path = tmp_path / "bad.csv"
    tickets.drop(columns=["body"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="body"):
        train.main(["--data", str(path), "--out", str(tmp_path / "m")])


@pytest.mark.skipif("TRAIN_CSV" not in os.environ, reason="needs the real training data")
def test_real_data_holdout_is_well_above_the_baseline(tmp_path):
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split

    from triage import model
    from triage.io import read_tickets

    tickets = read_tickets(os.environ["TRAIN_CSV"], labelled=True)
    fit_part, val = train_test_split(tickets, test_size=0.2, stratify=tickets["label"], random_state=3)
    fitted = model.fit(fit_part)
    assert f1_score(val["label"], model.predict(fitted, val), average="macro") > 0.85
