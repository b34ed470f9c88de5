#!/usr/bin/env python
"""Linear SVM on character n-grams, calibrated so we can report confidence."""
import logging
import pathlib
import sys

import joblib
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

log = logging.getLogger("svm_router")
MODEL_NAME = "svm.joblib"


def combine(df: pd.DataFrame) -> pd.Series:
    # channel is prepended as a token; it shifts priors a little
    return ("__" + df["channel"].fillna("none") + "__ " + df["subject"].fillna("") + " "
            + df["body"].fillna("")).str.replace(r"\s+", " ", regex=True)


def make() -> Pipeline:
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0)
    return Pipeline(steps=[
        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(2, 5), max_features=200_000,
                                  sublinear_tf=True)),
        ("svm", CalibratedClassifierCV(svm, cv=3)),
    ])


def do_train(csv_path: str, out_dir: str) -> None:
    frame = pd.read_csv(csv_path)
    pipe = make().fit(combine(frame), frame["label"])
    folder = pathlib.Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipe, folder / MODEL_NAME)
    log.info("saved %s", folder / MODEL_NAME)


def do_predict(model_dir: str, csv_path: str, out_path: str) -> None:
    pipe = joblib.load(pathlib.Path(model_dir) / MODEL_NAME)
    frame = pd.read_csv(csv_path)
    proba = pipe.predict_proba(combine(frame))
    best = proba.argmax(axis=1)
    out = pd.DataFrame({"id": frame["id"], "label": pipe.classes_[best]})
    out.to_csv(out_path, index=False)
    log.info("%d predictions, mean confidence %.2f", len(out), proba.max(axis=1).mean())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    action, *rest = sys.argv[1:]
    {"train": do_train, "predict": do_predict}[action](*rest)
