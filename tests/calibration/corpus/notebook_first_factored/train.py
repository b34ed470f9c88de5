"""python train.py --train TRAIN_CSV --model-dir DIR"""
import argparse
from pathlib import Path

import joblib
import pandas as pd

from ticket_triage.pipeline import build, prepare

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train", required=True)
    ap.add_argument("--model-dir", required=True)
    args = ap.parse_args()
    tickets = pd.read_csv(args.train, dtype=str, keep_default_na=False)
    model = build().fit(prepare(tickets), tickets["label"])
    Path(args.model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model, Path(args.model_dir) / "ticket_triage.joblib")
