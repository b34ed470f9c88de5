"""The estimator and its persistence."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline

from .features import assemble
from .schema import TEXT_FIELDS, TicketTable

MODEL_FILE = "model.joblib"
CARD_FILE = "model_card.json"


@dataclass(frozen=True)
class Config:
    """Estimator settings."""

    max_features: int = 3000
    alpha: float = 0.3
    lowercase: bool = True


@dataclass(frozen=True)
class ModelCard:
    """What was trained, for whoever loads the model later."""

    config: Config
    n_train: int
    classes: list[str]


class TicketModel:
    """Bag-of-words Complement Naive Bayes."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.pipeline = Pipeline([
            ("bow", CountVectorizer(max_features=self.config.max_features,
                                    lowercase=self.config.lowercase)),
            ("nb", ComplementNB(alpha=self.config.alpha)),
        ])
        self._n_train = 0

    @staticmethod
    def _text(table: TicketTable) -> list[str]:
        subject, body = TEXT_FIELDS
        return assemble(table.frame[subject].tolist(), table.frame[body].tolist())

    def fit(self, table: TicketTable) -> TicketModel:
        """Fit on a labelled table."""
        self.pipeline.fit(self._text(table), table.labels)
        self._n_train = len(table.frame)
        return self

    def predict(self, table: TicketTable) -> list[str]:
        """Queue per ticket."""
        return [str(p) for p in self.pipeline.predict(self._text(table))]

    def card(self) -> ModelCard:
        """Description of the fitted model."""
        return ModelCard(self.config, self._n_train, [str(c) for c in self.pipeline.classes_])

    def save(self, folder: Path) -> None:
        """Write the model and its card."""
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, folder / MODEL_FILE)
        (folder / CARD_FILE).write_text(json.dumps(asdict(self.card()), indent=2))

    @classmethod
    def load(cls, folder: Path) -> TicketModel:
        """Read a model written by :meth:`save`."""
        loaded = joblib.load(folder / MODEL_FILE)
        if not isinstance(loaded, cls):
            raise TypeError(f"{folder / MODEL_FILE} is not a {cls.__name__}")
        return loaded
