import argparse
import os

import joblib
import pandas as pd

from utils import load, make_text

parser = argparse.ArgumentParser()
parser.add_argument("--model-dir")
parser.add_argument("--input")
parser.add_argument("--output")
args = parser.parse_args()

vectorizer = joblib.load(os.path.join(args.model_dir, "vectorizer.joblib"))
model = joblib.load(os.path.join(args.model_dir, "model.joblib"))

df = load(args.input)
X = vectorizer.transform(make_text(df)).toarray()
df["label"] = model.predict(X)
df[["id", "label"]].to_csv(args.output, index=False)
print("saved", len(df), "predictions")
