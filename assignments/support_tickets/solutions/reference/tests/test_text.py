import pytest

from ticketclf.text import clean_body, clean_subject, normalise, ticket_text

GMAIL_QUOTE = """My reader will not pair since Monday.

Thanks,
Ana

On Tue, 12 Mar 2024 at 10:14, Tillpoint Support <support@tillpoint.com> wrote:
> Hi Ana,
> I've refunded $49.00 to your card.
"""

OUTLOOK_QUOTE = """Where do I download invoices?

-----Original Message-----
From: Tillpoint Support <support@tillpoint.com>
Sent: 3 May 2024 09:12
Subject: Re: Your request #12345

Your replacement reader has shipped.
"""


def test_clean_body_drops_gmail_quote_and_everything_after() -> None:
    cleaned = clean_body(GMAIL_QUOTE)
    assert "pair since Monday" in cleaned
    assert "refunded" not in cleaned
    assert "wrote:" not in cleaned


def test_clean_body_drops_outlook_original_message() -> None:
    cleaned = clean_body(OUTLOOK_QUOTE)
    assert cleaned == "Where do I download invoices?"


def test_clean_body_drops_footers_and_form_headers() -> None:
    body = (
        "Business name: Corner Cafe\nContact email: sam@cafe.com\nTopic: Billing\n\nMessage:\n"
        "The app crashes on checkout.\n\nSent from my iPhone\n\n--\nApp version 4.2.1 | iPad Air | iOS 17"
    )
    cleaned = clean_body(body)
    assert "crashes on checkout" in cleaned
    for gone in ("Sent from", "App version", "Business name", "Contact email", "Message:"):
        assert gone not in cleaned
    assert "Topic: Billing" in cleaned  # the customer's own choice is kept as a weak signal


def test_clean_body_leaves_plain_text_alone() -> None:
    assert clean_body("  reset link expired  ") == "reset link expired"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Refund please", "Refund please"),
        ("RE: Fwd: re: Help", "Help"),
        ("FW: login", "login"),
        ("Reader not working", "Reader not working"),
    ],
)
def test_clean_subject_strips_reply_prefixes(subject: str, expected: str) -> None:
    assert clean_subject(subject) == expected


def test_normalise_replaces_emails_money_and_numbers() -> None:
    text = normalise("Charged £1,249.50 twice, order 48213, mail me at sam.k@cafe.co.uk")
    assert text == "charged moneyamt twice, order num , mail me at emailaddr"


def test_ticket_text_marks_subject_words() -> None:
    text = ticket_text("Re: Refund", "Please refund.")
    assert text.startswith("refund subj_refund |")
    assert text.endswith("please refund.")
