"""Ticket router: one file on purpose (see README, Trade-offs).

    python router.py train TRAIN_CSV MODEL_DIR
    python router.py predict MODEL_DIR TICKETS_CSV OUT_CSV
    python router.py cv TRAIN_CSV
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

HISTORY = re.compile(r"^(On .*wrote:|-+ ?Original Message ?-+)\s*$", re.MULTILINE)
QUOTED = re.compile(r"^>.*$", re.MULTILINE)


def ticket_text(subject: str, body: str) -> str:
    """Subject + the new part of the body (quoted history removed)."""
    match = HISTORY.search(body)
    if match:
        body = body[: match.start()]
    return f"{subject}\n{QUOTED.sub('', body)}"


def texts(frame: pd.DataFrame) -> list[str]:
    return [ticket_text(s, b) for s, b in zip(frame["subject"], frame["body"])]


def new_model():
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LinearSVC(C=0.5, class_weight="balanced", random_state=0),
    )


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def train(train_csv: str, model_dir: str) -> None:
    frame = read(train_csv)
    model = new_model().fit(texts(frame), frame["label"])
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model, Path(model_dir) / "model.joblib")


def predict(model_dir: str, tickets_csv: str, out_csv: str) -> None:
    frame = read(tickets_csv)
    model = joblib.load(Path(model_dir) / "model.joblib")
    pd.DataFrame({"id": frame["id"], "label": model.predict(texts(frame))}).to_csv(out_csv, index=False)


def cv(train_csv: str) -> None:
    frame = read(train_csv)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    pred = cross_val_predict(new_model(), texts(frame), frame["label"], cv=folds)
    print(f"accuracy {accuracy_score(frame['label'], pred):.3f}  "
          f"macro-F1 {f1_score(frame['label'], pred, average='macro'):.3f}")


COMMANDS = {"train": (train, 2), "predict": (predict, 3), "cv": (cv, 1)}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS or len(argv) - 1 != COMMANDS[argv[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    function, _ = COMMANDS[argv[0]]
    function(*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
