"""Write id,label for every ticket of --input."""
import argparse
from pathlib import Path

import joblib
import pandas as pd

from features import load, text

ap = argparse.ArgumentParser()
ap.add_argument("--model-dir", required=True)
ap.add_argument("--input", required=True)
ap.add_argument("--output", required=True)
args = ap.parse_args()

df = load(args.input)
clf = joblib.load(Path(args.model_dir) / "model.joblib")
pd.DataFrame({"id": df["id"], "label": clf.predict(text(df))}).to_csv(args.output, index=False)
