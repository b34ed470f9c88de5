import pytest

from ticket_router.preprocess import build_text, normalise, own_words


@pytest.mark.parametrize("marker", [
    "On Fri, 7 Jun 2024 at 11:02, Tillpoint <help@tillpoint.com> wrote:",
    "-----Original Message-----",
    "From: Tillpoint Support <help@tillpoint.com>",
])
def test_thread_history_is_dropped(marker):
    body = f"Printer offline again\n\n{marker}\nWe refunded you last week"
    assert own_words(body) == "Printer offline again"


def test_footer_and_quoted_lines_are_dropped_but_text_after_them_kept():
    body = "> old text\nfirst line\nSent from my iPhone\nsecond line"
    assert own_words(body) == "first line second line"


def test_normalise_masks_volatile_tokens():
    assert normalise("Paid $1,200.50 on 12/03, mail a.b@x.io") == "paid _money_ on _num_ , mail _email_"


def test_build_text_strips_reply_prefixes_and_tolerates_empty_values():
    assert build_text(["RE: Fwd: Invoice"], [""]) == ["invoice |"]
    assert build_text([""], ["Hi"]) == ["| hi"]
