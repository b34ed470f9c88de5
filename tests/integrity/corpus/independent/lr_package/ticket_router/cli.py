"""Command line: ``train`` and ``predict``."""
from __future__ import annotations

import argparse
import csv
import pickle
from pathlib import Path

from ticket_router import model as router
from ticket_router.data import load_tickets

MODEL_FILE = "router.pkl"


def train(data: Path, out: Path) -> None:
    tickets = load_tickets(data)
    fitted = router.fit(tickets)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / MODEL_FILE, "wb") as handle:
        pickle.dump(fitted, handle)


def predict(model_dir: Path, data: Path, out: Path) -> None:
    with open(model_dir / MODEL_FILE, "rb") as handle:
        fitted = pickle.load(handle)
    tickets = load_tickets(data)
    labels = router.predict(fitted, tickets)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label"])
        writer.writerows((t.ticket_id, label) for t, label in zip(tickets, labels))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ticket_router")
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train")
    train_cmd.add_argument("--data", type=Path, required=True)
    train_cmd.add_argument("--out", type=Path, required=True)
    predict_cmd = commands.add_parser("predict")
    predict_cmd.add_argument("--model", type=Path, required=True)
    predict_cmd.add_argument("--data", type=Path, required=True)
    predict_cmd.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "train":
        train(args.data, args.out)
    else:
        predict(args.model, args.data, args.out)


if __name__ == "__main__":
    main()
