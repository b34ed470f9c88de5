"""Predict a queue for every ticket of a CSV."""
import argparse
from pathlib import Path

import joblib
import pandas as pd
from pipeline import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    model = joblib.load(args.model_dir / "router.joblib")
    tickets = prepare(pd.read_csv(args.input))
    result = pd.DataFrame({"id": tickets["id"], "label": model.predict(tickets)})
    result.to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
