import os
import pickle
import sys

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from preprocessing import vectorize

df = pd.read_csv(sys.argv[1])
texts = (df["subject"].fillna("") + " " + df["body"].fillna("")).tolist()
X = vectorize(texts)
y = df["label"]

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
clf = LogisticRegression(max_iter=1000, C=3)
clf.fit(X_train, y_train)
print("holdout accuracy:", accuracy_score(y_test, clf.predict(X_test)))

clf.fit(X, y)
os.makedirs(sys.argv[2], exist_ok=True)
with open(os.path.join(sys.argv[2], "clf.pkl"), "wb") as f:
    pickle.dump(clf, f)
