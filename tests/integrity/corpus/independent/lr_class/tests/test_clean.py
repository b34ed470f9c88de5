from classifier import clean


def test_clean_drops_quoted_lines_and_signature():
    assert clean("Reader broken\n> old reply\nThanks,\nBo") == "Reader broken"


def test_clean_handles_none():
    assert clean(None) == ""
