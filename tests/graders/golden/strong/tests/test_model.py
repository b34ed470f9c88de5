from pathlib import Path

import pandas as pd
import pytest

from tests.factories import make_tickets
from ticket_classifier import model


def test_model_learns_separable_tickets(tickets: pd.DataFrame) -> None:
    pipeline = model.train(tickets)
    held_out = make_tickets(n=40, seed=99)
    predicted = model.predict(pipeline, held_out)
    accuracy = (predicted["label"] == held_out["label"]).mean()
    assert accuracy >= 0.9


def test_predictions_have_one_row_per_ticket_and_known_labels(tickets: pd.DataFrame) -> None:
    pipeline = model.train(tickets)
    unlabelled = make_tickets(n=10, seed=3, labelled=False)
    predicted = model.predict(pipeline, unlabelled)
    assert list(predicted.columns) == ["id", "label"]
    assert predicted["id"].tolist() == unlabelled["id"].tolist()
    assert set(predicted["label"]) <= set(tickets["label"])


def test_predict_on_an_empty_table_returns_an_empty_table(tickets: pd.DataFrame) -> None:
    pipeline = model.train(tickets)
    empty = pd.DataFrame({"id": [], "subject": [], "body": []})
    predicted = model.predict(pipeline, empty)
    assert predicted.empty
    assert list(predicted.columns) == ["id", "label"]


def test_training_on_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        model.train(pd.DataFrame({"id": [], "subject": [], "body": [], "label": []}))


def test_saved_model_predicts_the_same(tmp_path: Path, tickets: pd.DataFrame) -> None:
    pipeline = model.train(tickets)
    path = model.save(pipeline, tmp_path / "model")
    assert path.exists()
    reloaded = model.load(tmp_path / "model")
    sample = make_tickets(n=12, seed=5)
    pd.testing.assert_frame_equal(model.predict(pipeline, sample), model.predict(reloaded, sample))


def test_training_is_deterministic(tickets: pd.DataFrame) -> None:
    sample = make_tickets(n=20, seed=11)
    first = model.predict(model.train(tickets), sample)
    second = model.predict(model.train(tickets), sample)
    assert first.equals(second)
