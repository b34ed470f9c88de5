"""TF-IDF + logistic regression for support tickets."""
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

MODEL_FILE = "model.joblib"


def load_data(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["text"] = frame["subject"] + " " + frame["body"]
    return frame


def build_model():
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2),
        LogisticRegression(max_iter=1000, C=10),
    )


def train_model(frame):
    model = build_model()
    model.fit(frame["text"], frame["label"])
    return model


def save_model(model, model_dir):
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model, Path(model_dir) / MODEL_FILE)


def load_model(model_dir):
    return joblib.load(Path(model_dir) / MODEL_FILE)
