"""Train TF-IDF + logistic regression on all labelled tickets."""
import argparse
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from features import load, text


def model():
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2),
                         LogisticRegression(C=5, max_iter=1000, random_state=0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--holdout", action="store_true", help="print a report on a 20%% split first")
    args = ap.parse_args()
    df = load(args.train)
    if args.holdout:
        tr, va = train_test_split(df, test_size=0.2, stratify=df["label"], random_state=0)
        print(classification_report(va["label"], model().fit(text(tr), tr["label"]).predict(text(va))))
    Path(args.model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model().fit(text(df), df["label"]), Path(args.model_dir) / "model.joblib")


if __name__ == "__main__":
    main()
