from ticketkit.model import KeywordModel
from ticketkit.text import clean, tokens

TEXTS = ["invoice charged twice", "card charge failed", "app crashes on start", "error when saving"]
LABELS = ["billing", "billing", "bug", "bug"]


def test_clean_runs():
    assert clean("Card charged\n> old\nThanks,\nSam") is not None


def test_tokens_run():
    assert len(tokens("my app is broken")) >= 0


def test_model_runs_end_to_end():
    model = KeywordModel().fit(TEXTS, LABELS)
    assert model.predict("my invoice") in model.labels
    assert isinstance(model.scores("app crashes"), dict)
    assert 0.0 <= model.accuracy(TEXTS, LABELS) <= 1.0
