"""Entry point: train, predict, cv."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from . import model


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cv(frame: pd.DataFrame, folds: int = 5) -> tuple[float, float]:
    """Mean (macro-F1, accuracy) over stratified folds."""
    f1s, accs = [], []
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=0).split(frame, frame["label"]):
        pred = model.predict(model.fit(frame.iloc[tr]), frame.iloc[va])
        f1s.append(f1_score(frame["label"].iloc[va], pred, average="macro"))
        accs.append(accuracy_score(frame["label"].iloc[va], pred))
    return float(np.mean(f1s)), float(np.mean(accs))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["train", "predict", "cv"])
    p.add_argument("--input", required=True)
    p.add_argument("--model-dir")
    p.add_argument("--output")
    a = p.parse_args(argv)
    if a.command == "train":
        if not a.model_dir:
            p.error("train needs --model-dir")
        model.save(model.fit(read(a.input)), a.model_dir)
    elif a.command == "predict":
        if not (a.model_dir and a.output):
            p.error("predict needs --model-dir and --output")
        frame = read(a.input)
        labels = model.predict(model.load(a.model_dir), frame)
        pd.DataFrame({"id": frame["id"], "label": labels}).to_csv(a.output, index=False)
    else:
        f1, acc = cv(read(a.input))
        print(f"macro_f1={f1:.3f} accuracy={acc:.3f}")


if __name__ == "__main__":
    main()
