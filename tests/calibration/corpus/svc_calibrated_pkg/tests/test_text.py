from triage.text import clean_subject, strip_history, ticket_text


def test_strip_history_cuts_gmail_quote():
    body = "Reader won't pair.\n\nOn Mon, 3 Jun 2024 at 10:00, Support <help@tillpoint.com> wrote:\n> refund issued"
    assert strip_history(body) == "Reader won't pair."


def test_strip_history_cuts_outlook_original_message():
    body = "Where are my invoices?\n-----Original Message-----\nFrom: Support <help@tillpoint.com>\nYour parcel shipped"
    assert strip_history(body) == "Where are my invoices?"


def test_strip_history_removes_quoted_lines_and_footers():
    cleaned = strip_history("Still broken\n> earlier text\nSent from my iPhone")
    assert "earlier" not in cleaned and "iPhone" not in cleaned and "Still broken" in cleaned


def test_clean_subject_removes_reply_chains():
    assert clean_subject("RE: Fwd: re: Login help") == "Login help"


def test_ticket_text_lowercases_and_masks_digits():
    assert ticket_text("Order 4411", "Charged 29.99") == "order 0 . order 0 . charged 0.0"
