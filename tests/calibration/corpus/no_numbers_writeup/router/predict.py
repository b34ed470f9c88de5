"""Predict: python -m router.predict --model-dir DIR --input CSV --output CSV"""
from __future__ import annotations

import argparse
from pathlib import Path

import joblib

from router.io import read, write_predictions
from router.model import predict


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    frame = read(args.input)
    model = joblib.load(Path(args.model_dir) / "router.joblib")
    write_predictions(frame["id"], predict(model, frame), args.output)


if __name__ == "__main__":
    main()
