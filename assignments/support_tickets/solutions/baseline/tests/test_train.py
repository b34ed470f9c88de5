import pandas as pd

from train import ticket_text


def test_ticket_text_joins_subject_and_body_and_tolerates_missing_values():
    frame = pd.DataFrame({"subject": ["Refund", None], "body": ["Please refund me", "Reader broken"]})
    assert list(ticket_text(frame)) == ["Refund\nPlease refund me", "\nReader broken"]
