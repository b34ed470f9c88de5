from pathlib import Path

import pandas as pd
import pytest

from ticketclf.data import DataError, load_tickets, write_predictions


def test_load_tickets_keeps_empty_metadata_as_empty_strings(tickets_csv: Path) -> None:
    frame = load_tickets(tickets_csv, require_label=True)
    assert frame["product_area"].isna().sum() == 0
    assert (frame["product_area"] == "").sum() > 0


def test_load_tickets_names_missing_columns(tmp_path: Path, tickets: pd.DataFrame) -> None:
    path = tmp_path / "bad.csv"
    tickets.drop(columns=["body", "channel"]).to_csv(path, index=False)
    with pytest.raises(DataError, match="body, channel"):
        load_tickets(path)


def test_load_tickets_requires_label_only_when_asked(tmp_path: Path, tickets: pd.DataFrame) -> None:
    path = tmp_path / "test.csv"
    tickets.drop(columns=["label"]).to_csv(path, index=False)
    assert len(load_tickets(path)) == len(tickets)
    with pytest.raises(DataError, match="label"):
        load_tickets(path, require_label=True)


def test_load_tickets_rejects_duplicate_ids(tmp_path: Path, tickets: pd.DataFrame) -> None:
    path = tmp_path / "dup.csv"
    pd.concat([tickets, tickets.iloc[:1]]).to_csv(path, index=False)
    with pytest.raises(DataError, match="duplicate ticket id"):
        load_tickets(path)


def test_write_predictions_writes_header_and_rows_in_order(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "preds.csv"
    write_predictions(pd.Series(["T-2", "T-1"]), ["refund", "billing"], out)
    assert out.read_text(encoding="utf-8").splitlines() == ["id,label", "T-2,refund", "T-1,billing"]
