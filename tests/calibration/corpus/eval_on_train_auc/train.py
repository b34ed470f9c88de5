import os
import sys

import pandas as pd

from model import TicketClassifier

train_path, model_dir = sys.argv[1], sys.argv[2]
df = pd.read_csv(train_path)
texts = (df["subject"].fillna("") + " " + df["body"].fillna("")).tolist()

clf = TicketClassifier().fit(texts, df["label"])
metrics = clf.evaluate(texts, df["label"])
print("Accuracy: %.4f" % metrics["accuracy"])
print("AUC: %.4f" % metrics["auc"])

os.makedirs(model_dir, exist_ok=True)
clf.save(os.path.join(model_dir, "clf.joblib"))
