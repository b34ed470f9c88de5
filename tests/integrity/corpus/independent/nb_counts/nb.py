"""Multinomial naive Bayes on word counts. Small, fast, a decent first model."""
import argparse
import os
import pickle

import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

STOP = {"hi", "hello", "thanks", "thank", "you", "regards", "best", "dear", "team", "support"}


def tokens_of(doc):
    return [w for w in doc.lower().split() if w.isalpha() and w not in STOP]


def load(path):
    data = pd.read_csv(path, dtype=str).fillna("")
    data["doc"] = data["subject"] + " " + data["body"]
    return data


parser = argparse.ArgumentParser()
parser.add_argument("--mode", choices=["train", "predict"], required=True)
parser.add_argument("--data", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--out")
opts = parser.parse_args()

if opts.mode == "train":
    data = load(opts.data)
    counts = CountVectorizer(tokenizer=tokens_of, token_pattern=None, min_df=2)
    nb = MultinomialNB(alpha=0.3).fit(counts.fit_transform(data["doc"]), data["label"])
    os.makedirs(opts.model, exist_ok=True)
    with open(os.path.join(opts.model, "nb.pickle"), "wb") as fh:
        pickle.dump((counts, nb), fh)
else:
    with open(os.path.join(opts.model, "nb.pickle"), "rb") as fh:
        counts, nb = pickle.load(fh)
    data = load(opts.data)
    data["label"] = nb.predict(counts.transform(data["doc"]))
    data[["id", "label"]].to_csv(opts.out, index=False)
