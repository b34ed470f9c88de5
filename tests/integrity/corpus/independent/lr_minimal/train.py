import sys

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

train_path, model_dir = sys.argv[1], sys.argv[2]

df = pd.read_csv(train_path)
df["text"] = df["subject"].fillna("") + " " + df["body"].fillna("")

vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
X = vec.fit_transform(df["text"])
clf = LogisticRegression(max_iter=2000, class_weight="balanced")
clf.fit(X, df["label"])

joblib.dump(vec, f"{model_dir}/vec.pkl")
joblib.dump(clf, f"{model_dir}/clf.pkl")
print("trained on", len(df), "tickets")
