import os
import sys

import pandas as pd

from model import TicketClassifier

model_dir, test_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
df = pd.read_csv(test_path)
texts = (df["subject"].fillna("") + " " + df["body"].fillna("")).tolist()
clf = TicketClassifier.load(os.path.join(model_dir, "clf.joblib"))
pd.DataFrame({"id": df["id"], "label": clf.predict(texts)}).to_csv(out_path, index=False)
