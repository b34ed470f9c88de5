import pandas as pd

from ticketlib.cleaning import clean_body, ticket_text


def test_reply_history_is_removed():
    body = "Reader not charging\n\nOn Thu, 2 May 2024, Tillpoint <help@tillpoint.com> wrote:\n> we refunded"
    assert clean_body(body) == "Reader not charging"


def test_boilerplate_lines_are_removed():
    assert clean_body("Hi\nSent from my iPhone\nApp version 5.1 (iOS)") == "Hi"


def test_ticket_text_handles_missing_subject():
    df = pd.DataFrame({"subject": [None], "body": ["Card DECLINED"]})
    assert ticket_text(df).tolist() == [" | card declined"]
