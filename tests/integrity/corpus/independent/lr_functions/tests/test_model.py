import pandas as pd
from model import build_model, train_model


def test_model_fits_and_predicts():
    frame = pd.DataFrame({
        "text": ["refund my order", "cannot log in", "refund please", "password reset"] * 5,
        "label": ["refund", "account_access", "refund", "account_access"] * 5,
    })
    model = train_model(frame)
    assert set(model.predict(["refund now"])) <= {"refund", "account_access"}


def test_build_model_has_two_steps():
    assert len(build_model().steps) == 2
