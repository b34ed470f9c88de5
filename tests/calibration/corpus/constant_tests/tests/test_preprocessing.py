from ticket_classifier.preprocessing import QUOTE_RE, remove_quoted


def test_quote_regex_exists():
    assert QUOTE_RE is not None


def test_remove_quoted_returns_string():
    assert isinstance(remove_quoted("hello"), str)
