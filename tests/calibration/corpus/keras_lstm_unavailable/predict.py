import argparse
import json
import os

import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow.keras import layers

from model import MAX_TOKENS, SEQ_LEN

ap = argparse.ArgumentParser()
ap.add_argument("--model-dir")
ap.add_argument("--data")
ap.add_argument("--out")
args = ap.parse_args()

model = tf.keras.models.load_model(os.path.join(args.model_dir, "lstm.keras"))
labels = json.load(open(os.path.join(args.model_dir, "labels.json")))
vocab = json.load(open(os.path.join(args.model_dir, "vocab.json")))
vec = layers.TextVectorization(max_tokens=MAX_TOKENS, output_sequence_length=SEQ_LEN, vocabulary=vocab)

df = pd.read_csv(args.data)
texts = (df["subject"].fillna("") + " " + df["body"].fillna("")).values
pred = np.argmax(model.predict(vec(texts)), axis=1)
pd.DataFrame({"id": df["id"], "label": [labels[i] for i in pred]}).to_csv(args.out, index=False)
