"""``python -m triage.predict --model model/ --tickets test.csv --out predictions.csv``"""

from __future__ import annotations

import argparse
from pathlib import Path

import joblib

from . import model
from .io import read_tickets, write_predictions


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="folder written by triage.train")
    parser.add_argument("--tickets", required=True, help="tickets to classify (CSV)")
    parser.add_argument("--out", required=True, help="where to write id,label")
    parser.add_argument("--proba", help="optional CSV of per-queue probabilities")
    args = parser.parse_args(argv)

    fitted = joblib.load(Path(args.model) / "triage.joblib")
    tickets = read_tickets(args.tickets)
    write_predictions(tickets["id"], model.predict(fitted, tickets), args.out)
    if args.proba:
        model.predict_proba(fitted, tickets).assign(id=tickets["id"]).to_csv(args.proba, index=False)


if __name__ == "__main__":
    main()
