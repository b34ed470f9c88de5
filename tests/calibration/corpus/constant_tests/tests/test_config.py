from ticket_classifier import config


def test_labels():
    assert len(config.LABELS) == 8
    assert "billing" in config.LABELS


def test_tfidf_settings():
    assert config.TFIDF_MAX_FEATURES == 50000
    assert config.TFIDF_NGRAM_RANGE == (1, 2)


def test_random_state():
    assert config.RANDOM_STATE == 42
