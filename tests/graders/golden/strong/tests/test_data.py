from pathlib import Path

import pandas as pd
import pytest

from ticket_classifier.data import DataError, load_tickets, strip_quoted, ticket_text


def test_load_tickets_reads_every_row_as_text(tickets_csv: Path) -> None:
    frame = load_tickets(tickets_csv, require_label=True)
    assert len(frame) == 80
    assert frame["id"].iloc[0] == "T-00000"
    assert frame["label"].nunique() == 4


@pytest.mark.parametrize("column", ["id", "subject", "body"])
def test_load_tickets_names_a_missing_column(
    tmp_path: Path, tickets: pd.DataFrame, column: str
) -> None:
    path = tmp_path / "bad.csv"
    tickets.drop(columns=[column]).to_csv(path, index=False)
    with pytest.raises(DataError, match=column):
        load_tickets(path)


def test_load_tickets_requires_label_only_for_training(
    tmp_path: Path, tickets: pd.DataFrame
) -> None:
    path = tmp_path / "test.csv"
    tickets.drop(columns=["label"]).to_csv(path, index=False)
    assert len(load_tickets(path)) == len(tickets)
    with pytest.raises(DataError, match="label"):
        load_tickets(path, require_label=True)


def test_load_tickets_refuses_duplicate_ids(tmp_path: Path, tickets: pd.DataFrame) -> None:
    path = tmp_path / "dup.csv"
    pd.concat([tickets, tickets.head(1)]).to_csv(path, index=False)
    with pytest.raises(DataError, match="duplicate"):
        load_tickets(path)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "My card was charged twice.\n-----Original Message-----\nrefund please",
            "My card was charged twice.\n",
        ),
        ("Thanks!\n> old quoted line\nBye", "Thanks!\nBye"),
        ("No quote here", "No quote here"),
    ],
)
def test_strip_quoted_drops_earlier_replies(body: str, expected: str) -> None:
    assert strip_quoted(body).strip() == expected.strip()


def test_ticket_text_joins_subject_and_body_lower_cased() -> None:
    frame = pd.DataFrame({"subject": ["Refund NOW"], "body": ["Money BACK please"]})
    (text,) = ticket_text(frame)
    assert "refund now" in text
    assert "money back please" in text
