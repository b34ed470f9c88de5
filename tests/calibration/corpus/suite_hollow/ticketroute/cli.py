"""``python -m ticketroute.cli train|predict``: the commands submission.toml runs."""

from __future__ import annotations

import argparse
import sys

from ticketroute import model as ticket_model
from ticketroute.data import DataError, load_tickets, write_predictions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ticketroute")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="fit the model on labelled tickets")
    train.add_argument("--train", required=True)
    train.add_argument("--model-dir", required=True)
    predict = commands.add_parser("predict", help="label tickets with a trained model")
    predict.add_argument("--model-dir", required=True)
    predict.add_argument("--input", required=True)
    predict.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "train":
            frame = load_tickets(args.train, require_label=True)
            ticket_model.save(ticket_model.train(frame), args.model_dir)
        else:
            frame = load_tickets(args.input)
            labels = ticket_model.predict(ticket_model.load(args.model_dir), frame)
            write_predictions(frame["id"], labels, args.output)
    except (DataError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
