from pathlib import Path

import pandas as pd
import pytest

from ticketclf.model import load_model, predict, save_model, train

from .factories import make_tickets


def test_train_and_predict_return_known_labels(tickets: pd.DataFrame) -> None:
    model = train(tickets)
    predicted = predict(model, tickets)
    assert len(predicted) == len(tickets)
    assert set(predicted) <= set(tickets["label"])
    # The synthetic classes are separable; a working pipeline fits them.
    assert sum(p == t for p, t in zip(predicted, tickets["label"], strict=True)) / len(tickets) > 0.9


def test_quoted_reply_does_not_decide_the_class(tickets: pd.DataFrame) -> None:
    model = train(tickets)
    ticket = make_tickets(per_label=1, with_label=False).iloc[:1].copy()
    ticket["subject"] = "Cannot log in"
    ticket["body"] = (
        "I cannot log in, password reset never arrives.\n\n"
        "On Mon, 1 Apr 2024 at 09:00, Tillpoint Support <support@tillpoint.com> wrote:\n"
        "> I've refunded the subscription, your money back is on its way.\n"
        "> Refund refund refund invoice charged twice."
    )
    assert predict(model, ticket) == ["account_access"]


def test_save_and_load_give_identical_predictions(tmp_path: Path, tickets: pd.DataFrame) -> None:
    model = train(tickets)
    save_model(model, tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert predict(loaded, tickets) == predict(model, tickets)
    info = (tmp_path / "model" / "model_info.json").read_text(encoding="utf-8")
    assert '"account_access"' in info


def test_load_model_explains_a_missing_model(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"run train\.py"):
        load_model(tmp_path)
