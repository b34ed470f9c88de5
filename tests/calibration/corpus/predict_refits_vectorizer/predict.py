import os
import pickle
import sys

import pandas as pd

from preprocessing import vectorize

with open(os.path.join(sys.argv[1], "clf.pkl"), "rb") as f:
    clf = pickle.load(f)

df = pd.read_csv(sys.argv[2])
texts = (df["subject"].fillna("") + " " + df["body"].fillna("")).tolist()
X = vectorize(texts)
df["label"] = clf.predict(X)
df[["id", "label"]].to_csv(sys.argv[3], index=False)
