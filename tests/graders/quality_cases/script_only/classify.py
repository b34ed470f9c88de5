import os
import sys

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

mode = sys.argv[1]
model_dir = sys.argv[2]
os.makedirs(model_dir, exist_ok=True)

if mode == "train":
    df = pd.read_csv(sys.argv[3], dtype=str, keep_default_na=False)
    text = df["subject"] + " " + df["body"]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    X = vec.fit_transform(text)
    clf = LogisticRegression(max_iter=1000, C=4.0)
    clf.fit(X, df["label"])
    pd.to_pickle((vec, clf), os.path.join(model_dir, "model.pkl"))
    print("trained on", len(df), "tickets")
else:
    vec, clf = pd.read_pickle(os.path.join(model_dir, "model.pkl"))
    df = pd.read_csv(sys.argv[3], dtype=str, keep_default_na=False)
    text = df["subject"] + " " + df["body"]
    out = pd.DataFrame({"id": df["id"], "label": clf.predict(vec.transform(text))})
    out.to_csv(sys.argv[4], index=False)
    print("wrote", len(out), "predictions")
