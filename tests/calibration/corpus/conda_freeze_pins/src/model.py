import os
import pickle

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline


def build_pipeline():
    return Pipeline([
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
        ("clf", LogisticRegression(C=5, max_iter=1000, class_weight="balanced")),
    ])


def train_model(df):
    X_train, X_val, y_train, y_val = train_test_split(
        df["text"], df["label"], test_size=0.2, random_state=42, stratify=df["label"])
    pipe = build_pipeline()
    pipe.fit(X_train, y_train)
    print(classification_report(y_val, pipe.predict(X_val)))
    # retrain on everything
    pipe = build_pipeline()
    pipe.fit(df["text"], df["label"])
    return pipe


def save_model(model, model_dir):
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "pipeline.pkl"), "wb") as f:
        pickle.dump(model, f)


def load_model(model_dir):
    with open(os.path.join(model_dir, "pipeline.pkl"), "rb") as f:
        return pickle.load(f)


def predict(model, df):
    return model.predict(df["text"])
