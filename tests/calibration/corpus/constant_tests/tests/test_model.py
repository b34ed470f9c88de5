from sklearn.pipeline import Pipeline

from ticket_classifier.config import SVM_C, TFIDF_MAX_FEATURES
from ticket_classifier.model import build_model, build_vectorizer


def test_build_model_returns_pipeline():
    assert isinstance(build_model(), Pipeline)


def test_vectorizer_max_features():
    vec = build_vectorizer()
    assert vec.max_features == TFIDF_MAX_FEATURES


def test_svm_c():
    assert build_model().named_steps["svm"].C == SVM_C


def test_pipeline_steps():
    assert list(build_model().named_steps) == ["tfidf", "svm"]
