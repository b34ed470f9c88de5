from pathlib import Path

import pandas as pd

from tests.factories import make_tickets
from ticket_classifier.cli import predict_main, train_main


def test_train_then_predict_writes_the_contract_csv(tmp_path: Path, tickets_csv: Path) -> None:
    model_dir = tmp_path / "model"
    assert train_main(["--train", str(tickets_csv), "--model-dir", str(model_dir)]) == 0
    test_csv = tmp_path / "test.csv"
    unlabelled = make_tickets(n=15, seed=21, labelled=False)
    unlabelled.to_csv(test_csv, index=False)
    output = tmp_path / "out" / "predictions.csv"
    assert (
        predict_main(
            ["--model-dir", str(model_dir), "--input", str(test_csv), "--output", str(output)]
        )
        == 0
    )
    written = pd.read_csv(output, dtype=str)
    assert list(written.columns) == ["id", "label"]
    assert written["id"].tolist() == unlabelled["id"].tolist()
