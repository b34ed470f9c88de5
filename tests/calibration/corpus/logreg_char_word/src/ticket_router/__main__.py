"""Command line: ``python -m ticket_router fit|predict|cv``."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from . import model
from .validation import cross_validate


def _read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ticket-router")
    sub = parser.add_subparsers(dest="command", required=True)
    fit_p = sub.add_parser("fit", help="train on a labelled CSV")
    fit_p.add_argument("train_csv")
    fit_p.add_argument("model_dir")
    pred_p = sub.add_parser("predict", help="write id,label for an unlabelled CSV")
    pred_p.add_argument("model_dir")
    pred_p.add_argument("tickets_csv")
    pred_p.add_argument("output_csv")
    cv_p = sub.add_parser("cv", help="stratified k-fold scores")
    cv_p.add_argument("train_csv")
    cv_p.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    if args.command == "fit":
        frame = _read(args.train_csv)
        path = model.save(model.fit(frame), args.model_dir)
        print(f"trained on {len(frame)} tickets, saved {path}")
    elif args.command == "predict":
        frame = _read(args.tickets_csv)
        labels = model.load(args.model_dir).predict(frame)
        pd.DataFrame({"id": frame["id"], "label": labels}).to_csv(args.output_csv, index=False)
        print(f"wrote {len(frame)} predictions to {args.output_csv}")
    else:
        result = cross_validate(_read(args.train_csv), folds=args.folds)
        print(result.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
