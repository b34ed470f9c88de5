"""Ticket classifier without pandas: csv module, TF-IDF, logistic regression."""
import csv
import os
import sys

from joblib import dump, load
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

SEED = 7


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def as_text(row):
    subject = (row.get("subject") or "").strip()
    body = (row.get("body") or "").strip()
    return (subject + " | " + body).lower()


def fit(train_file, model_dir):
    rows = read_rows(train_file)
    texts = [as_text(r) for r in rows]
    labels = [r["label"] for r in rows]
    tfidf = TfidfVectorizer(max_features=50000, ngram_range=(1, 3), stop_words="english")
    features = tfidf.fit_transform(texts)
    logreg = LogisticRegression(solver="saga", max_iter=500, random_state=SEED)
    logreg.fit(features, labels)
    os.makedirs(model_dir, exist_ok=True)
    dump({"tfidf": tfidf, "logreg": logreg}, os.path.join(model_dir, "bundle.joblib"))


def apply(model_dir, test_file, out_file):
    bundle = load(os.path.join(model_dir, "bundle.joblib"))
    rows = read_rows(test_file)
    guesses = bundle["logreg"].predict(bundle["tfidf"].transform([as_text(r) for r in rows]))
    with open(out_file, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label"])
        for r, g in zip(rows, guesses):
            w.writerow([r["id"], g])


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "fit":
        fit(sys.argv[2], sys.argv[3])
    elif command == "apply":
        apply(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")
