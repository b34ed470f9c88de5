import pandas as pd
import pytest

from routing import model

DATA = "data/train.csv"
MODEL_DIR = "models"


@pytest.fixture(scope="module")
def df():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def trained():
    return model.load(MODEL_DIR)


def test_data_has_eight_queues(df):
    assert df["label"].nunique() == 8


def test_trained_model_accuracy(df, trained):
    sample = df.sample(500, random_state=0)
    assert (trained.predict(model.texts(sample)) == sample["label"]).mean() > 0.9


def test_security_ticket(trained):
    ticket = pd.DataFrame({"subject": ["Phishing email"], "body": ["I got an email pretending to be you asking for my password"]})
    assert trained.predict(model.texts(ticket))[0] == "security_privacy"


def test_retrain_small(df):
    small = df.groupby("label").head(30)
    m = model.train(small)
    assert set(m.classes_) == set(df["label"])
