import ticket_classification as tc


def test_clean_text():
    assert tc.clean_text("Hello, my card reader is BROKEN!!") == "card reader broken"


def test_accuracy():
    assert tc.accuracy > 0.8
