"""A majority-class predictor: the smallest valid submission, surrounded by hostile files."""

import csv
import json
import sys
from collections import Counter
from pathlib import Path


def train(train_csv: str, model_dir: str) -> None:
    """Remember the most common label."""
    with open(train_csv, newline="", encoding="utf-8") as fh:
        counts = Counter(row["label"] for row in csv.DictReader(fh))
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    Path(model_dir, "model.json").write_text(json.dumps({"label": counts.most_common(1)[0][0]}))


def predict(model_dir: str, test_csv: str, out_csv: str) -> None:
    """Predict the remembered label for every ticket."""
    label = json.loads(Path(model_dir, "model.json").read_text())["label"]
    with open(test_csv, newline="", encoding="utf-8") as fh, open(out_csv, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "label"])
        for row in csv.DictReader(fh):
            writer.writerow([row["id"], label])


if __name__ == "__main__":
    if sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3])
    else:
        predict(sys.argv[2], sys.argv[3], sys.argv[4])
