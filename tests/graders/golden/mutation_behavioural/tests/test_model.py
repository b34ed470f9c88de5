import math

import pytest

from ticketkit.model import KeywordModel

TEXTS = ["invoice charged twice", "card charge failed", "app crashes on start", "error when saving"]
LABELS = ["billing", "billing", "bug", "bug"]


@pytest.fixture
def model():
    return KeywordModel().fit(TEXTS, LABELS)


def test_predicts_the_label_of_matching_words(model):
    assert model.predict("my invoice was charged") == "billing"
    assert model.predict("the app crashes") == "bug"


def test_unknown_words_fall_back_to_the_prior():
    model = KeywordModel().fit(TEXTS + ["refund charge"], LABELS + ["billing"])
    assert model.predict("zzz qqq") == "billing"


def test_scores_are_log_probabilities(model):
    scores = model.scores("nothing known here")
    assert scores == {"billing": pytest.approx(math.log(0.5)), "bug": pytest.approx(math.log(0.5))}
    charged = model.scores("charged")
    assert charged["billing"] == pytest.approx(math.log(0.5) + math.log(2 / 4))
    assert charged["bug"] == pytest.approx(math.log(0.5) + math.log(1 / 4))


def test_accuracy_counts_hits(model):
    assert model.accuracy(["invoice", "crashes", "invoice"], ["billing", "bug", "bug"]) == pytest.approx(2 / 3)
    assert model.accuracy([], []) == 0.0


def test_fit_rejects_mismatched_or_empty_data():
    with pytest.raises(ValueError, match="differ"):
        KeywordModel().fit(["a"], [])
    with pytest.raises(ValueError, match="no training"):
        KeywordModel().fit([], [])


def test_predict_before_fit_is_an_error():
    with pytest.raises(RuntimeError):
        KeywordModel().predict("x")


def test_smoothing_must_be_positive():
    with pytest.raises(ValueError):
        KeywordModel(smoothing=0)
    assert KeywordModel(smoothing=0.5).smoothing == 0.5


def test_fit_returns_the_model_and_its_labels(model):
    assert model.labels == ["billing", "bug"]
    assert model.totals == {"billing": 2, "bug": 2}
    assert model.counts["charged"] == {"billing": 1}
