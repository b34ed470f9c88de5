import argparse
import os

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from common import read_tickets


def get_model():
    return Pipeline([
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
        ("sgd", SGDClassifier(loss="log_loss", alpha=1e-5, penalty="elasticnet", l1_ratio=0.1,
                              max_iter=30, tol=None, shuffle=True)),
    ])


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--input")
    ap.add_argument("--output-dir")
    args = ap.parse_args()

    df = read_tickets(args.input)
    X_tr, X_va, y_tr, y_va = train_test_split(df["text"], df["label"], test_size=0.2)
    model = get_model().fit(X_tr, y_tr)
    pred = model.predict(X_va)
    print("val accuracy", accuracy_score(y_va, pred), "macro f1", f1_score(y_va, pred, average="macro"))

    model = get_model().fit(df["text"], df["label"])
    os.makedirs(args.output_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.output_dir, "sgd.joblib"))
