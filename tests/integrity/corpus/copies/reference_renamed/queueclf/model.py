"""Training, saving, loading and applying the ticket classifier."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from . import __version__
from .data import LABEL_COLUMN
from .features import FeatureConfig, build_features, prepare

__all__ = ["MODEL_FILE", "ModelConfig", "build_model", "load_model", "predict", "save_model", "train"]

MODEL_FILE = "model.joblib"
INFO_FILE = "model_info.json"


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a trained model apart from the data."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    """Feature extractor settings."""
    c: float = 0.3
    """Inverse regularisation strength of the linear SVM."""
    balanced: bool = True
    """Weight classes inversely to their frequency, which lifts recall of the rare queues."""
    seed: int = 0
    """Seed of the solver's coordinate shuffling, for identical models run to run."""


def build_model(config: ModelConfig) -> Pipeline:
    """An unfitted pipeline: features then a linear SVM."""
    classifier = LinearSVC(
        C=config.c, class_weight="balanced" if config.balanced else None, random_state=config.seed
    )
    return Pipeline([("features", build_features(config.features)), ("classifier", classifier)])


def train(records: pd.DataFrame, config: ModelConfig | None = None) -> Pipeline:
    """Fit a model on labelled tickets (a frame from :func:`queueclf.data.load_tickets`)."""
    estimator = build_model(config or ModelConfig())
    estimator.fit(prepare(records), records[LABEL_COLUMN])
    return estimator


def predict(estimator: Pipeline, records: pd.DataFrame) -> list[str]:
    """Predicted label for every ticket, in order."""
    return [str(label) for label in estimator.predict(prepare(records))]


def save_model(estimator: Pipeline, model_dir: str | Path, config: ModelConfig | None = None) -> Path:
    """Write the fitted pipeline and a small JSON description into ``model_dir``."""
    folder = Path(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MODEL_FILE
    joblib.dump(estimator, path)
    info = {
        "version": __version__,
        "labels": [str(c) for c in estimator.classes_],
        "config": asdict(config or ModelConfig()),
    }
    (folder / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return path


def load_model(model_dir: str | Path) -> Pipeline:
    """Load the pipeline :func:`save_model` wrote; a clear error when there is none."""
    path = Path(model_dir) / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"no trained model at {path}; run train.py with --model-dir {model_dir} first"
        )
    estimator = joblib.load(path)
    if not isinstance(estimator, Pipeline):
        raise TypeError(f"{path} does not hold a scikit-learn Pipeline")
    return estimator
