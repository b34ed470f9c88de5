"""Model construction."""
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from ticket_classifier.config import RANDOM_STATE, SVM_C, TFIDF_MAX_FEATURES, TFIDF_MIN_DF, TFIDF_NGRAM_RANGE


def build_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(max_features=TFIDF_MAX_FEATURES, ngram_range=TFIDF_NGRAM_RANGE,
                           min_df=TFIDF_MIN_DF, sublinear_tf=True)


def build_model() -> Pipeline:
    return Pipeline([
        ("tfidf", build_vectorizer()),
        ("svm", LinearSVC(C=SVM_C, class_weight="balanced", random_state=RANDOM_STATE)),
    ])
