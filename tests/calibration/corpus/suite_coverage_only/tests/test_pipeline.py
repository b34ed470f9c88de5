import pandas as pd

from ticketroute import model as ticket_model
from ticketroute.cli import main
from ticketroute.data import load_tickets, write_predictions
from ticketroute.text import strip_history, ticket_text

LABELS = {"billing", "refund", "bug_report"}


def test_strip_history_returns_text():
    cleaned = strip_history("New problem\n> old reply\nOn Mon, Sam wrote:\nold\nThanks,\nSam")
    assert isinstance(cleaned, str)
    assert len(cleaned) > 0


def test_ticket_text_is_lowercase():
    text = ticket_text("Refund", "Please\nThanks", "email", "point of sale")
    assert text == text.lower()


def test_load_tickets_reads_every_row(tickets_csv, tickets):
    frame = load_tickets(tickets_csv, require_label=True)
    assert len(frame) == len(tickets)
    assert "channel" in frame.columns


def test_training_produces_a_fitted_model(tickets):
    fitted = ticket_model.train(tickets, min_df=1)
    assert len(fitted.classes_) > 0


def test_predictions_have_one_known_label_per_ticket(tickets):
    fitted = ticket_model.train(tickets, min_df=1)
    predictions = ticket_model.predict(fitted, tickets)
    assert len(predictions) == len(tickets)
    assert set(predictions) <= LABELS


def test_save_and_load(tmp_path, tickets):
    fitted = ticket_model.train(tickets, min_df=1)
    ticket_model.save(fitted, tmp_path / "m")
    assert (tmp_path / "m" / "model.joblib").exists()
    assert ticket_model.load(tmp_path / "m") is not None


def test_write_predictions_creates_the_file(tmp_path):
    out = tmp_path / "p.csv"
    write_predictions(pd.Series(["T-1", "T-2"]), ["refund", "billing"], out)
    assert out.exists()


def test_cli_runs_end_to_end(tmp_path, tickets, tickets_csv):
    unlabelled = tmp_path / "test.csv"
    tickets.drop(columns=["label"]).to_csv(unlabelled, index=False)
    out = tmp_path / "predictions.csv"
    assert main(["train", "--train", str(tickets_csv), "--model-dir", str(tmp_path / "m")]) == 0
    assert main(["predict", "--model-dir", str(tmp_path / "m"), "--input", str(unlabelled), "--output", str(out)]) == 0
    assert len(pd.read_csv(out)) == len(tickets)
