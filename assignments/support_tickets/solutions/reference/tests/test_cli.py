from pathlib import Path

import pandas as pd

from ticketclf.cli import predict_main, train_main

from .factories import make_tickets


def test_train_then_predict_writes_one_row_per_ticket(tmp_path: Path, tickets_csv: Path) -> None:
    model_dir = tmp_path / "model"
    test_csv = tmp_path / "test.csv"
    out_csv = tmp_path / "out" / "predictions.csv"
    unlabelled = make_tickets(per_label=2, with_label=False)
    unlabelled.to_csv(test_csv, index=False)

    assert train_main(["--train", str(tickets_csv), "--model-dir", str(model_dir)]) == 0
    assert (
        predict_main(["--model-dir", str(model_dir), "--input", str(test_csv), "--output", str(out_csv)]) == 0
    )

    written = pd.read_csv(out_csv, dtype=str)
    assert list(written.columns) == ["id", "label"]
    assert list(written["id"]) == list(unlabelled["id"])
    assert written["label"].notna().all()
