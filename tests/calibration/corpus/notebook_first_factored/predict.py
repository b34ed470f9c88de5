"""python predict.py --model-dir DIR --input TICKETS_CSV --output PREDICTIONS_CSV"""
import argparse
from pathlib import Path

import joblib
import pandas as pd

from ticket_triage.pipeline import prepare

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args()
    tickets = pd.read_csv(args.input, dtype=str, keep_default_na=False)
    model = joblib.load(Path(args.model_dir) / "ticket_triage.joblib")
    pd.DataFrame({"id": tickets["id"], "label": model.predict(prepare(tickets))}).to_csv(args.output, index=False)
