"""Train / predict pipeline for the ticket router."""
import os
import sys

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline


def text_of(df):
    return (df["subject"].fillna("") + " \n " + df["body"].fillna("")).str.lower()


def make_pipeline():
    return Pipeline([
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.95, sublinear_tf=True)),
        ("clf", LogisticRegression(C=8, max_iter=2000, class_weight="balanced", random_state=0)),
    ])


def train(train_csv, model_dir):
    df = pd.read_csv(train_csv)
    tr, va = train_test_split(df, test_size=0.2, stratify=df["label"], random_state=0)
    pipe = make_pipeline().fit(text_of(tr), tr["label"])
    print(classification_report(va["label"], pipe.predict(text_of(va))))
    pipe = make_pipeline().fit(text_of(df), df["label"])
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(pipe, os.path.join(model_dir, "model.pkl"))


def predict(model_dir, test_csv, out_csv):
    pipe = joblib.load(os.path.join(model_dir, "model.pkl"))
    df = pd.read_csv(test_csv)
    pd.DataFrame({"id": df["id"], "label": pipe.predict(text_of(df))}).to_csv(out_csv, index=False)


if __name__ == "__main__":
    if sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "predict":
        predict(sys.argv[2], sys.argv[3], sys.argv[4])
