"""Command-line entry points for training and prediction."""

from __future__ import annotations

import argparse
from pathlib import Path

from ticket_classifier import data, model


def train_main(argv: list[str] | None = None) -> int:
    """Train on a labelled CSV and save the model."""
    parser = argparse.ArgumentParser(description="Train the ticket classifier.")
    parser.add_argument("--train", type=Path, required=True, help="labelled training CSV")
    parser.add_argument(
        "--model-dir", type=Path, required=True, help="folder to write the model to"
    )
    args = parser.parse_args(argv)
    frame = data.load_tickets(args.train, require_label=True)
    path = model.save(model.train(frame), args.model_dir)
    print(f"trained on {len(frame)} tickets; model written to {path}")
    return 0


def predict_main(argv: list[str] | None = None) -> int:
    """Predict labels for a CSV of tickets and write ``id,label``."""
    parser = argparse.ArgumentParser(description="Predict ticket labels.")
    parser.add_argument("--model-dir", type=Path, required=True, help="folder holding the model")
    parser.add_argument("--input", type=Path, required=True, help="CSV of tickets to label")
    parser.add_argument("--output", type=Path, required=True, help="CSV to write predictions to")
    args = parser.parse_args(argv)
    frame = data.load_tickets(args.input)
    predictions = model.predict(model.load(args.model_dir), frame)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    predictions.to_csv(args.output, index=False)
    print(f"wrote {len(predictions)} predictions to {args.output}")
    return 0
