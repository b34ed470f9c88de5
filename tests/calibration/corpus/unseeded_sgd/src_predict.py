import argparse
import os

import joblib
import pandas as pd

from common import read_tickets

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir")
    ap.add_argument("--input")
    ap.add_argument("--output")
    args = ap.parse_args()
    model = joblib.load(os.path.join(args.model_dir, "sgd.joblib"))
    df = read_tickets(args.input)
    pd.DataFrame({"id": df["id"], "label": model.predict(df["text"])}).to_csv(args.output, index=False)
