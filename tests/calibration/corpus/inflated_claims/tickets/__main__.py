import argparse
import os

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from tickets.features import combined_text


def build():
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=10, max_iter=2000, class_weight="balanced"),
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["train", "predict"])
    p.add_argument("--data", required=True)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--out")
    a = p.parse_args()
    df = pd.read_csv(a.data)
    if a.cmd == "train":
        model = build().fit(combined_text(df), df["label"])
        os.makedirs(a.model_dir, exist_ok=True)
        joblib.dump(model, os.path.join(a.model_dir, "model.joblib"))
    else:
        model = joblib.load(os.path.join(a.model_dir, "model.joblib"))
        pd.DataFrame({"id": df["id"], "label": model.predict(combined_text(df))}).to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
