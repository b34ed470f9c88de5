"""Write predictions for a CSV of tickets."""

import argparse
from pathlib import Path

import joblib
import pandas as pd

from features import build_text


def predict(model, df):
    return pd.DataFrame({"id": df["id"], "label": model.predict(build_text(df))})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    model = joblib.load(Path(args.model_dir) / "model.joblib")
    df = pd.read_csv(args.data, dtype=str, keep_default_na=False)
    predict(model, df).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
