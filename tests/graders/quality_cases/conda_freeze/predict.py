"""Write predictions for the held-out tickets."""

import argparse
from pathlib import Path

import joblib
import pandas as pd

from train import ticket_text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    model = joblib.load(Path(args.model_dir) / "model.joblib")
    frame = pd.read_csv(args.input, dtype=str, keep_default_na=False)
    pd.DataFrame({"id": frame["id"], "label": model.predict(ticket_text(frame))}).to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
