import pytest

from ticketroute.text import strip_history, ticket_text


def test_quoted_lines_are_dropped():
    assert strip_history("New problem\n> old reply\n>> older") == "New problem"


@pytest.mark.parametrize("header", ["On Mon, 3 Jun, Sam wrote:", "----- Original Message -----", "From: support@x.com"])
def test_everything_after_a_reply_header_is_dropped(header):
    assert strip_history(f"Card declined\n{header}\nrefund my order") == "Card declined"


@pytest.mark.parametrize("sign_off", ["Thanks,", "Kind regards", "Cheers!"])
def test_the_sign_off_ends_the_body(sign_off):
    assert strip_history(f"App crashes\n{sign_off}\nSam") == "App crashes"


def test_whitespace_is_collapsed():
    assert strip_history("  app   crashes \n\n  on start ") == "app crashes on start"


def test_subject_counts_twice_and_metadata_become_marker_words():
    assert ticket_text("Refund", "Please", "email", "point of sale") == (
        "refund refund please channel_email area_point_of_sale"
    )


def test_empty_metadata_adds_nothing():
    assert ticket_text("Refund", "Please") == "refund refund please"
