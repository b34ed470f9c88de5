"""``python -m helpdesk train|predict|cv``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

from .metrics import cross_validate
from .model import TicketModel
from .schema import read_table

log = logging.getLogger("helpdesk")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpdesk")
    sub = parser.add_subparsers(dest="cmd", required=True)
    train = sub.add_parser("train")
    train.add_argument("csv", type=Path)
    train.add_argument("--model-dir", type=Path, required=True)
    predict = sub.add_parser("predict")
    predict.add_argument("csv", type=Path)
    predict.add_argument("--model-dir", type=Path, required=True)
    predict.add_argument("--output", type=Path, required=True)
    cv = sub.add_parser("cv")
    cv.add_argument("csv", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.cmd == "train":
        table = read_table(args.csv, labelled=True)
        TicketModel().fit(table).save(args.model_dir)
        log.info("trained on %d tickets", len(table.frame))
    elif args.cmd == "predict":
        table = read_table(args.csv, labelled=False)
        labels = TicketModel.load(args.model_dir).predict(table)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"id": table.ids, "label": labels}).to_csv(args.output, index=False)
    else:
        log.info("%s", cross_validate(read_table(args.csv, labelled=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
