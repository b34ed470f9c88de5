"""Stateless features: a hashing vectorizer needs no vocabulary, so it streams."""
from __future__ import annotations
import re
from collections.abc import Iterable
from scipy.sparse import hstack
from sklearn.feature_extraction.text import HashingVectorizer
LINK_RE = re.compile('https?://\\S+|\\S+\\.com/\\S*')
DIGITS_RE = re.compile('\\d+')
TEXT_HASHER = HashingVectorizer(n_features=2 ** 20, ngram_range=(1, 2), alternate_sign=False, norm='l2')
META_HASHER = HashingVectorizer(n_features=2 ** 8, alternate_sign=False, norm=None)

def clean_text(txt: str) -> str:
    txt = LINK_RE.sub(' URL ', txt)
    return DIGITS_RE.sub(' NUM ', txt).lower()

def meta_words(records: Iterable[dict[str, str]]) -> list[str]:
    return [f"channel_{r.get('channel', '')} plan_{r.get('customer_plan', '')} area_{r.get('product_area') or 'none'}" for r in records]

def vectorize(records: list[dict[str, str]]):
    texts = [clean_text(f"{r.get('subject', '')} {r.get('body', '')}") for r in records]
    return hstack([TEXT_HASHER.transform(texts), META_HASHER.transform(meta_words(records))]).tocsr()



import csv
from pathlib import Path


def load_csv(location: str | Path) -> list[dict[str, str]]:
    with open(location, encoding="utf-8", newline="") as fh:
        return [dict(row) for row in csv.DictReader(fh)]


def save_csv(location: str | Path, keys: list[str], values: list[str]) -> None:
    with open(location, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("id", "label"))
        writer.writerows(zip(keys, values))


import sys
from pathlib import Path
import joblib
from sklearn.linear_model import SGDClassifier

def fit_sgd(train_file: str, out_dir: str) -> SGDClassifier:
    records = load_csv(train_file)
    sgd = SGDClassifier(loss='modified_huber', alpha=2e-05, max_iter=40, tol=None, class_weight='balanced', random_state=2024)
    sgd.fit(vectorize(records), [r['label'] for r in records])
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(sgd, Path(out_dir) / 'sgd.joblib')
    return sgd


import sys
from pathlib import Path
import joblib

def run_sgd(out_dir: str, test_file: str, dest: str) -> None:
    sgd = joblib.load(Path(out_dir) / 'sgd.joblib')
    records = load_csv(test_file)
    save_csv(dest, [r['id'] for r in records], list(sgd.predict(vectorize(records))))

if __name__ == "__main__":
    if sys.argv[1] == "train":
        fit_sgd(*sys.argv[2:4])
    else:
        run_sgd(*sys.argv[2:5])
