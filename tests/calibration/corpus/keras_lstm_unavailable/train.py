import argparse
import json
import os

import numpy as np
import pandas as pd
import tensorflow as tf

from model import build_model, build_vectorizer

ap = argparse.ArgumentParser()
ap.add_argument("--data")
ap.add_argument("--model-dir")
args = ap.parse_args()

df = pd.read_csv(args.data)
texts = (df["subject"].fillna("") + " " + df["body"].fillna("")).values
labels = sorted(df["label"].unique())
y = df["label"].map({l: i for i, l in enumerate(labels)}).values

vec = build_vectorizer(texts)
X = vec(texts)
model = build_model()
model.fit(X, y, epochs=5, batch_size=64, validation_split=0.1)

os.makedirs(args.model_dir, exist_ok=True)
model.save(os.path.join(args.model_dir, "lstm.keras"))
with open(os.path.join(args.model_dir, "labels.json"), "w") as f:
    json.dump(labels, f)
with open(os.path.join(args.model_dir, "vocab.json"), "w") as f:
    json.dump(vec.get_vocabulary(), f)
