from ticketkit.text import clean, tokens


def test_clean_drops_quoted_history_and_lowercases():
    assert clean("Card CHARGED twice\n> old reply\n>> older") == "card charged twice"


def test_clean_stops_at_the_sign_off():
    assert clean("refund please\nThanks,\nSam") == "refund please"
    assert clean("refund please\nRegards!\nSam") == "refund please"


def test_clean_collapses_whitespace():
    assert clean("  app   crashes \n\n on   start ") == "app crashes on start"


def test_tokens_keep_words_of_three_letters_or_more():
    assert tokens("My app is broken") == ["app", "broken"]
    assert tokens("My app is broken", min_len=2) == ["my", "app", "is", "broken"]


def test_tokens_split_on_punctuation():
    assert tokens("refund: now!") == ["refund", "now"]
