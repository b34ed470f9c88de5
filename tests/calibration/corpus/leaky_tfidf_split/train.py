import argparse
import os

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import train_test_split

from utils import load, make_text

parser = argparse.ArgumentParser()
parser.add_argument("--train")
parser.add_argument("--model-dir")
args = parser.parse_args()

df = load(args.train)
text = make_text(df)

# vectorize
vectorizer = TfidfVectorizer(max_features=3000, stop_words="english")
X = vectorizer.fit_transform(text).toarray()
y = df["label"].values
print("X shape", X.shape)

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=1)

model = LogisticRegression(max_iter=300)
model.fit(X_train, y_train)

pred = model.predict(X_test)
print("accuracy", accuracy_score(y_test, pred))
print("f1", f1_score(y_test, pred, average="weighted"))
print(classification_report(y_test, pred))

os.makedirs(args.model_dir, exist_ok=True)
joblib.dump(vectorizer, os.path.join(args.model_dir, "vectorizer.joblib"))
joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
