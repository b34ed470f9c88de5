import pandas as pd
import pytest

from ticketroute.data import DataError, load_tickets, write_predictions


def test_missing_columns_are_named(tmp_path, tickets):
    path = tmp_path / "bad.csv"
    tickets.drop(columns=["body"]).to_csv(path, index=False)
    with pytest.raises(DataError, match="body"):
        load_tickets(path)


def test_label_is_required_only_when_asked(tmp_path, tickets):
    path = tmp_path / "unlabelled.csv"
    tickets.drop(columns=["label"]).to_csv(path, index=False)
    assert len(load_tickets(path)) == len(tickets)
    with pytest.raises(DataError, match="label"):
        load_tickets(path, require_label=True)


def test_duplicate_ids_are_refused(tmp_path, tickets):
    path = tmp_path / "dup.csv"
    pd.concat([tickets, tickets.iloc[:1]]).to_csv(path, index=False)
    with pytest.raises(DataError, match="duplicate"):
        load_tickets(path)


def test_missing_metadata_becomes_empty_text(tmp_path, tickets):
    path = tmp_path / "lean.csv"
    tickets.drop(columns=["channel"]).to_csv(path, index=False)
    frame = load_tickets(path)
    assert list(frame["channel"]) == [""] * len(tickets)
    assert frame.loc[2, "product_area"] == ""


def test_predictions_keep_the_input_order(tmp_path):
    out = tmp_path / "sub" / "preds.csv"
    write_predictions(pd.Series(["T-2", "T-1"]), ["refund", "billing"], out)
    assert out.read_text().splitlines() == ["id,label", "T-2,refund", "T-1,billing"]
