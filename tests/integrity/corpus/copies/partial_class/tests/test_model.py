import pandas as pd
import pytest

from model import TicketClassifier


@pytest.fixture
def tickets():
    return pd.DataFrame({
        "subject": ["Refund", "Login", "Refund please", "Locked out"] * 6,
        "body": ["money back", "cannot sign in", "charge me back", "2fa code"] * 6,
        "label": ["refund", "account_access", "refund", "account_access"] * 6,
    })


def test_classifier_round_trip(tmp_path, tickets):
    TicketClassifier(min_df=1).fit(tickets).save(tmp_path)
    again = TicketClassifier.load(tmp_path)
    assert list(again.predict(tickets.head(2))) == ["refund", "account_access"]


def test_top_terms_cover_each_queue(tickets):
    terms = TicketClassifier(min_df=1).fit(tickets).top_terms(n=3)
    assert set(terms) == {"refund", "account_access"}
