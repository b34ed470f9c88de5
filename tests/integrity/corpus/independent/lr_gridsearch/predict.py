import argparse
import os

import joblib
import pandas as pd
from train import get_text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    model = joblib.load(os.path.join(args.model_dir, "model.joblib"))
    df = pd.read_csv(args.input)
    df["label"] = model.predict(get_text(df))
    df[["id", "label"]].to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
