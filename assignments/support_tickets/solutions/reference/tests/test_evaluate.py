from pathlib import Path

import pandas as pd
import pytest

from ticketclf.evaluate import cross_validate, main

from .factories import make_tickets


def test_cross_validate_reports_scores_for_every_class(tickets: pd.DataFrame) -> None:
    result = cross_validate(tickets, folds=3)
    assert 0.0 <= result.accuracy <= 1.0
    assert result.accuracy_std >= 0.0
    assert set(result.per_class_f1) == set(tickets["label"])
    # Folds of separable synthetic classes are easy.
    assert result.macro_f1 > 0.8


def test_evaluate_cli_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "train.csv"
    make_tickets(per_label=6).to_csv(path, index=False)
    assert main(["--train", str(path), "--folds", "2"]) == 0
    out = capsys.readouterr().out
    assert '"macro_f1"' in out
    assert '"per_class_f1"' in out
