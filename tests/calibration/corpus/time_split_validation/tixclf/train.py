"""Fit on all labelled tickets and save: ``python -m tixclf.train --train X --model-dir D``."""

from __future__ import annotations

import argparse
from pathlib import Path

import joblib

from .data import load
from .model import fit


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train", required=True)
    ap.add_argument("--model-dir", required=True)
    args = ap.parse_args(argv)
    frame = load(args.train)
    Path(args.model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(fit(frame), Path(args.model_dir) / "tixclf.joblib")
    print(f"fitted on all {len(frame)} tickets")


if __name__ == "__main__":
    main()
