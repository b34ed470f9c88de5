import pandas as pd
import pytest

from ticketroute import model as ticket_model


@pytest.fixture
def fitted(tickets):
    return ticket_model.train(tickets, min_df=1)


def ask(subject, body):
    return pd.DataFrame([{"id": "Q", "subject": subject, "body": body, "channel": "", "product_area": ""}])


def test_each_queue_is_recognised(fitted):
    assert ticket_model.predict(fitted, ask("charged twice", "my card invoice")) == ["billing"]
    assert ticket_model.predict(fitted, ask("refund", "money back please")) == ["refund"]
    assert ticket_model.predict(fitted, ask("crash", "app error on start")) == ["bug_report"]


def test_quoted_history_does_not_change_the_queue(fitted):
    body = "The app crashes on start.\nOn Mon, Sam wrote:\n> refund refund refund money back"
    assert ticket_model.predict(fitted, ask("crash", body)) == ["bug_report"]


def test_training_is_deterministic(tickets):
    questions = pd.concat([ask("invoice", "money"), ask("error", "refund")], ignore_index=True)
    first = ticket_model.predict(ticket_model.train(tickets, min_df=1), questions)
    second = ticket_model.predict(ticket_model.train(tickets, min_df=1), questions)
    assert first == second


def test_training_needs_two_queues_and_some_tickets(tickets):
    with pytest.raises(ValueError, match="two queues"):
        ticket_model.train(tickets[tickets["label"] == "refund"])
    with pytest.raises(ValueError, match="no tickets"):
        ticket_model.train(tickets.iloc[:0])


def test_no_tickets_no_predictions(fitted, tickets):
    assert ticket_model.predict(fitted, tickets.iloc[:0]) == []


def test_saved_model_predicts_the_same(tmp_path, fitted, tickets):
    path = ticket_model.save(fitted, tmp_path / "m")
    assert path.name == "model.joblib"
    loaded = ticket_model.load(tmp_path / "m")
    assert ticket_model.predict(loaded, tickets) == ticket_model.predict(fitted, tickets)


def test_loading_without_a_model_says_to_train(tmp_path):
    with pytest.raises(FileNotFoundError, match="run training"):
        ticket_model.load(tmp_path)
