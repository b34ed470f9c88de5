"""The classifier: word and character TF-IDF plus one-hot metadata, a calibrated linear SVM."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from .text import ticket_text

SEED = 13


@dataclass(frozen=True)
class Settings:
    """Hyper-parameters, chosen with 5-fold cross-validation (see README)."""

    c: float = 0.5
    char_ngrams: tuple[int, int] = (3, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 2
    calibration_folds: int = 3


def to_frame(tickets: pd.DataFrame) -> pd.DataFrame:
    """Columns the pipeline reads: cleaned text plus the three metadata fields."""
    out = tickets[["channel", "customer_plan", "product_area"]].copy()
    out["text"] = [ticket_text(s, b) for s, b in zip(tickets["subject"], tickets["body"])]
    return out


def build(settings: Settings = Settings()) -> Pipeline:
    """An unfitted pipeline."""
    features = ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=settings.word_ngrams, min_df=settings.min_df,
                                      sublinear_tf=True), "text"),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams,
                                      min_df=settings.min_df, sublinear_tf=True, max_features=60000),
             "text"),
            ("meta", OneHotEncoder(handle_unknown="ignore"), ["channel", "customer_plan", "product_area"]),
        ],
        transformer_weights={"words": 1.0, "chars": 0.6, "meta": 0.5},
    )
    svm = LinearSVC(C=settings.c, class_weight="balanced", random_state=SEED)
    classifier = CalibratedClassifierCV(svm, cv=settings.calibration_folds, method="sigmoid")
    return Pipeline([("features", features), ("classifier", classifier)])


def fit(tickets: pd.DataFrame, settings: Settings = Settings()) -> Pipeline:
    """Fit on every labelled ticket given."""
    return build(settings).fit(to_frame(tickets), tickets["label"])


def predict(model: Pipeline, tickets: pd.DataFrame) -> list[str]:
    """Most probable queue per ticket."""
    return [str(x) for x in model.predict(to_frame(tickets))]


def predict_proba(model: Pipeline, tickets: pd.DataFrame) -> pd.DataFrame:
    """Calibrated probability of every queue, one row per ticket."""
    return pd.DataFrame(model.predict_proba(to_frame(tickets)), columns=model.classes_,
                        index=tickets.index)
