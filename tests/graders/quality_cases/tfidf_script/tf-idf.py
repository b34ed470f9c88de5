import sys
import pickle

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC


def load(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["text"] = df["subject"] + " " + df["body"]
    return df


def fit(df):
    vec = TfidfVectorizer(sublinear_tf=True, min_df=2)
    clf = LinearSVC()
    clf.fit(vec.fit_transform(df["text"]), df["label"])
    return vec, clf


mode = sys.argv[1]
if mode == "train":
    vec, clf = fit(load(sys.argv[2]))
    with open(sys.argv[3] + "/model.pkl", "wb") as fh:
        pickle.dump((vec, clf), fh)
else:
    with open(sys.argv[2] + "/model.pkl", "rb") as fh:
        vec, clf = pickle.load(fh)
    test = load(sys.argv[3])
    test["label"] = clf.predict(vec.transform(test["text"]))
    test[["id", "label"]].to_csv(sys.argv[4], index=False)
