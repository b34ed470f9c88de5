"""Naive Bayes ticket classifier.

Uses only the subject line: subjects are short summaries written by the customer, so they are
less noisy than the bodies (which contain signatures, quoted emails, etc.).
"""
import argparse
import os

import joblib
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

MAX_WORDS = 300


def build():
    return make_pipeline(CountVectorizer(max_features=MAX_WORDS, stop_words="english"), MultinomialNB())


def subjects(df):
    return df["subject"].fillna("").str.lower()


def fit(data, model_path):
    df = pd.read_csv(data)
    tr, va = train_test_split(df, test_size=0.2, random_state=0)
    model = build().fit(subjects(tr), tr["label"])
    print("validation accuracy:", round((model.predict(subjects(va)) == va["label"]).mean(), 3))
    model = build().fit(subjects(df), df["label"])
    os.makedirs(os.path.dirname(model_path), exist_ok=True)
    joblib.dump(model, model_path)


def predict(data, model_path, out):
    df = pd.read_csv(data)
    model = joblib.load(model_path)
    pd.DataFrame({"id": df["id"], "label": model.predict(subjects(df))}).to_csv(out, index=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["fit", "predict"])
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.command == "fit":
        fit(args.data, args.model)
    else:
        predict(args.data, args.model, args.out)
