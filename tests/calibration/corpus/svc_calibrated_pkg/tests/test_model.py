import numpy as np
import pandas as pd
import pytest

from triage import model


@pytest.fixture
def fitted(tickets):
    return model.fit(tickets, model.Settings(min_df=1, calibration_folds=2))


def test_fit_then_predict_recovers_the_training_queues(fitted, tickets):
    assert model.predict(fitted, tickets) == list(tickets["label"])


def test_probabilities_sum_to_one_per_ticket(fitted, tickets):
    proba = model.predict_proba(fitted, tickets)
    assert list(proba.columns) == sorted(tickets["label"].unique())
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def test_quoted_history_does_not_flip_the_prediction(fitted, tickets):
    ticket = tickets[tickets["label"] == "account_access"].iloc[[0]].copy()
    ticket["body"] = ("I can't sign in, the two-factor code never arrives\n\n"
                      "On Tue, 4 Jun 2024, Support <help@tillpoint.com> wrote:\n"
                      "> refund refund money back charged invoice")
    assert model.predict(fitted, ticket) == ["account_access"]


def test_unknown_metadata_values_are_ignored(fitted, tickets):
    ticket = tickets.iloc[[0]].copy()
    ticket["channel"] = "carrier_pigeon"
    assert model.predict(fitted, ticket) == [tickets["label"].iloc[0]]


def test_refitting_gives_identical_predictions(tickets):
    settings = model.Settings(min_df=1, calibration_folds=2)
    first = model.predict_proba(model.fit(tickets, settings), tickets)
    second = model.predict_proba(model.fit(tickets, settings), tickets)
    pd.testing.assert_frame_equal(first, second)
