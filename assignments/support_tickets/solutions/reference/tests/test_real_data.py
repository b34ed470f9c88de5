"""Checks on the real training data (TRAIN_CSV): the contract's columns and a sanity bar on
quality, so a regression in cleaning or features shows up as a failing test."""

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from ticketclf.model import predict, train


def test_training_file_has_the_expected_shape(real_train: pd.DataFrame) -> None:
    assert len(real_train) >= 1000
    assert real_train["label"].nunique() >= 8
    assert real_train["id"].is_unique


def test_model_beats_a_sanity_bar_on_a_validation_split(real_train: pd.DataFrame) -> None:
    fit, val = train_test_split(real_train, test_size=0.25, stratify=real_train["label"], random_state=0)
    predicted = predict(train(fit), val)
    assert accuracy_score(val["label"], predicted) > 0.85
    assert f1_score(val["label"], predicted, average="macro") > 0.8
