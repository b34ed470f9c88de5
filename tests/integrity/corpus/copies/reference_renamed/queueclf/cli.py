"""Command-line entry points behind ``train.py`` and ``predict.py``."""

from __future__ import annotations

import argparse
import logging
import time

from .data import ID_COLUMN, load_tickets, write_predictions
from .model import ModelConfig, load_model, predict, save_model, train

__all__ = ["predict_main", "train_main"]

log = logging.getLogger("queueclf")


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")


def train_main(argv: list[str] | None = None) -> int:
    """``train.py --train CSV --model-dir DIR``: fit on all labelled tickets and save."""
    parser = argparse.ArgumentParser(description="Train the ticket classifier.")
    parser.add_argument("--train", required=True, help="labelled training CSV")
    parser.add_argument("--model-dir", required=True, help="folder to write the model into")
    args = parser.parse_args(argv)
    _setup_logging()
    started = time.perf_counter()
    records = load_tickets(args.train, require_label=True)
    config = ModelConfig()
    estimator = train(records, config)
    path = save_model(estimator, args.model_dir, config)
    log.info("trained on %d tickets in %.1fs, saved %s", len(records), time.perf_counter() - started, path)
    return 0


def predict_main(argv: list[str] | None = None) -> int:
    """``predict.py --model-dir DIR --input CSV --output CSV``: write ``id,label`` per ticket."""
    parser = argparse.ArgumentParser(description="Predict ticket categories.")
    parser.add_argument("--model-dir", required=True, help="folder train.py wrote")
    parser.add_argument("--input", required=True, help="CSV of tickets without labels")
    parser.add_argument("--output", required=True, help="CSV to write (id,label)")
    args = parser.parse_args(argv)
    _setup_logging()
    started = time.perf_counter()
    estimator = load_model(args.model_dir)
    records = load_tickets(args.input)
    labels = predict(estimator, records)
    write_predictions(records[ID_COLUMN], labels, args.output)
    log.info("predicted %d tickets in %.1fs into %s", len(labels), time.perf_counter() - started, args.output)
    return 0
