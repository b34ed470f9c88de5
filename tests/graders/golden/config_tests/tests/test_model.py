from unittest.mock import patch

import pandas as pd
import pytest

from ticket_model import model
from ticket_model.config import CONFIG, MAX_FEATURES
from ticket_model.model import build_vectorizer, train


@pytest.fixture
def tiny() -> pd.DataFrame:
    rows = [("refund", "please refund my money"), ("bug_report", "the app crashes on start")] * 10
    return pd.DataFrame(
        {
            "id": [f"T-{i}" for i in range(len(rows))],
            "subject": ["help"] * len(rows),
            "body": [body for _, body in rows],
            "label": [label for label, _ in rows],
        }
    )


def test_vectorizer_uses_the_configured_size():
    vec = build_vectorizer()
    assert vec.max_features == MAX_FEATURES


def test_seed_is_set():
    assert CONFIG["seed"] == 13


def test_api_exists():
    assert hasattr(model, "train") and callable(model.predict)


def test_main_trains(tmp_path):
    with (
        patch("ticket_model.model.train") as fake,
        patch("ticket_model.model.pd.read_csv"),
        patch("ticket_model.model.joblib.dump"),
    ):
        model.main(["train", "--train", "x.csv", "--model-dir", str(tmp_path)])
    fake.assert_called_once()


def test_train_on_the_real_data():
    frame = pd.read_csv("data/train.csv")
    pipeline = train(frame)
    assert set(pipeline.classes_) == set(frame["label"])


def test_learns_a_tiny_table(tiny):
    pipeline = train(tiny)
    assert pipeline.named_steps["tfidf"].max_features == MAX_FEATURES
    predicted = model.predict(pipeline, tiny.head(4))
    assert predicted["label"].tolist() == tiny["label"].head(4).tolist()
