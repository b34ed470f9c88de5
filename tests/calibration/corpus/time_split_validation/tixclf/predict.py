"""Write ``id,label``: ``python -m tixclf.predict --model-dir D --input X --output Y``."""

from __future__ import annotations

import argparse
from pathlib import Path

import joblib
import pandas as pd

from .data import load
from .model import predict


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    frame = load(args.input, labelled=False)
    model = joblib.load(Path(args.model_dir) / "tixclf.joblib")
    pd.DataFrame({"id": frame["id"], "label": predict(model, frame)}).to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
