"""Pipeline and persistence."""
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline

from routing.text import prepare

FILE = "routing.joblib"


def texts(df: pd.DataFrame) -> list[str]:
    return [prepare(s, b) for s, b in zip(df["subject"].fillna(""), df["body"].fillna(""))]


def build():
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        SGDClassifier(loss="modified_huber", alpha=5e-5, class_weight="balanced", max_iter=50,
                      random_state=1),
    )


def train(df: pd.DataFrame):
    return build().fit(texts(df), df["label"])


def save(model, model_dir: str) -> None:
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model, Path(model_dir) / FILE)


def load(model_dir: str):
    return joblib.load(Path(model_dir) / FILE)
