"""Train: python -m router.train --train CSV --model-dir DIR"""
from __future__ import annotations

import argparse
from pathlib import Path

import joblib

from router.io import read
from router.model import fit


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--model-dir", required=True)
    args = ap.parse_args(argv)
    Path(args.model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(fit(read(args.train)), Path(args.model_dir) / "router.joblib")


if __name__ == "__main__":
    main()
