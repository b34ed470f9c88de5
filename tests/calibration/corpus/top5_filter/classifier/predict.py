"""python -m classifier.predict MODEL_DIR TEST_CSV OUT_CSV"""
import os
import sys

import joblib
import pandas as pd

from classifier.data import load_tickets


def main(model_dir: str, test_csv: str, out_csv: str) -> None:
    model = joblib.load(os.path.join(model_dir, "model.joblib"))
    df = load_tickets(test_csv)
    pd.DataFrame({"id": df["id"], "label": model.predict(df["text"])}).to_csv(out_csv, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
