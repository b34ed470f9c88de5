"""``python -m triage.train --data train.csv --out model/``"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import joblib

from . import model
from .io import read_tickets

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, help="labelled tickets (CSV)")
    parser.add_argument("--out", required=True, help="folder for the fitted model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    tickets = read_tickets(args.data, labelled=True)
    fitted = model.fit(tickets)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(fitted, out / "triage.joblib")
    (out / "meta.json").write_text(json.dumps({"n_train": len(tickets),
                                               "classes": list(map(str, fitted.classes_))}))
    log.info("fitted on %d tickets -> %s", len(tickets), out)


if __name__ == "__main__":
    main()
