import pytest

from queue_clf.clean import clean_body, clean_subject, combine


@pytest.mark.parametrize("quote", [
    "On Wed, 5 Jun 2024 at 09:00, Tillpoint Support <s@t.com> wrote:",
    "-----Original Message-----",
    "________________________________",
    "From: Tillpoint Support <s@t.com>",
])
def test_history_is_cut(quote):
    assert clean_body(f"New problem here.\n{quote}\nold reply about refunds") == "New problem here."


def test_quoted_and_footer_lines_are_removed():
    assert clean_body("Line one\n> quoted\nSent from my iPad\nline two") == "Line one line two"


def test_body_without_history_only_loses_extra_whitespace():
    assert clean_body("  a   b \n c ") == "a b c"


@pytest.mark.parametrize("raw,expected", [("Re: RE: Fwd: Help", "Help"), ("AW: Rechnung", "Rechnung"),
                                          ("Refund request", "Refund request")])
def test_subject_prefixes(raw, expected):
    assert clean_subject(raw) == expected


def test_combine_repeats_subject_and_lowercases():
    assert combine("Re: Login", "Cannot Sign In") == "login login cannot sign in"
