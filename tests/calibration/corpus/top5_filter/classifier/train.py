"""python -m classifier.train TRAIN_CSV MODEL_DIR"""
import os
import sys

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from classifier.data import keep_top_classes, load_tickets


def build_model() -> Pipeline:
    return Pipeline([
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
        ("lr", LogisticRegression(C=5.0, max_iter=1000)),
    ])


def main(train_csv: str, model_dir: str) -> None:
    df = keep_top_classes(load_tickets(train_csv))
    print(f"training on {len(df)} tickets, classes: {sorted(df['label'].unique())}")
    x_tr, x_va, y_tr, y_va = train_test_split(df["text"], df["label"], test_size=0.2,
                                              random_state=0, stratify=df["label"])
    model = build_model().fit(x_tr, y_tr)
    print(classification_report(y_va, model.predict(x_va)))
    model = build_model().fit(df["text"], df["label"])
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, "model.joblib"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
