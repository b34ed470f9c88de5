import sys

import joblib
import pandas as pd

model_dir, test_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]

vec = joblib.load(f"{model_dir}/vec.pkl")
clf = joblib.load(f"{model_dir}/clf.pkl")

df = pd.read_csv(test_path)
text = df["subject"].fillna("") + " " + df["body"].fillna("")
preds = clf.predict(vec.transform(text))
pd.DataFrame({"id": df["id"], "label": preds}).to_csv(out_path, index=False)
