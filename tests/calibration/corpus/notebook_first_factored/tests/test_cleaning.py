import pytest

from ticket_triage.cleaning import latest_message


@pytest.mark.parametrize("header", [
    "On Sat, 11 May 2024 at 08:15, Tillpoint Support <support@tillpoint.com> wrote:",
    "----- Original Message -----",
    "From: Tillpoint Billing <billing@tillpoint.com>",
])
def test_history_after_a_quote_header_is_dropped(header):
    assert latest_message(f"Payout missing\n\n{header}\nYour reader shipped") == "Payout missing"


def test_form_labels_and_device_lines_are_dropped():
    body = "Business name: Bean There\nContact email: a@b.co\nMessage: staff cannot clock in\nDevice: iPad"
    assert latest_message(body) == ""


def test_plain_body_is_only_whitespace_normalised():
    assert latest_message("two\n\nlines ") == "two lines"
