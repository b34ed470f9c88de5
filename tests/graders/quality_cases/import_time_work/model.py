"""Shared model code."""

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

TRAIN = pd.read_csv("data/train.csv", dtype=str, keep_default_na=False)
VECTORIZER = TfidfVectorizer(min_df=2).fit(TRAIN["subject"] + " " + TRAIN["body"])
PRETRAINED = joblib.load("artifacts/model.pkl")


def make_classifier() -> LogisticRegression:
    """The classifier, untrained."""
    return LogisticRegression(max_iter=1000)


def features(frame: pd.DataFrame):
    """TF-IDF features of subject and body."""
    return VECTORIZER.transform(frame["subject"] + " " + frame["body"])
