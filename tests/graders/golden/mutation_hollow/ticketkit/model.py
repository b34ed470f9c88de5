"""A naive Bayes keyword model over ticket tokens."""

from __future__ import annotations

import math
from collections import Counter

from ticketkit.text import tokens


class KeywordModel:
    """Multinomial naive Bayes with add-k smoothing."""

    def __init__(self, smoothing: float = 1.0) -> None:
        if smoothing <= 0:
            raise ValueError("smoothing must be positive")
        self.smoothing = smoothing
        self.counts: dict[str, Counter[str]] = {}
        self.totals: Counter[str] = Counter()
        self.labels: list[str] = []

    def fit(self, texts: list[str], labels: list[str]) -> KeywordModel:
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if not texts:
            raise ValueError("no training data")
        self.totals = Counter(labels)
        for text, label in zip(texts, labels):
            for token in tokens(text):
                self.counts.setdefault(token, Counter())[label] += 1
        self.labels = sorted(self.totals)
        return self

    def scores(self, text: str) -> dict[str, float]:
        total = sum(self.totals.values())
        out = {label: math.log(self.totals[label] / total) for label in self.labels}
        for token in tokens(text):
            seen = self.counts.get(token)
            if seen is None:
                continue
            for label in self.labels:
                out[label] += math.log((seen[label] + self.smoothing) / (self.totals[label] + 2 * self.smoothing))
        return out

    def predict(self, text: str) -> str:
        if not self.labels:
            raise RuntimeError("fit the model first")
        scores = self.scores(text)
        return max(self.labels, key=lambda label: scores[label])

    def accuracy(self, texts: list[str], labels: list[str]) -> float:
        if not texts:
            return 0.0
        hits = sum(1 for text, label in zip(texts, labels) if self.predict(text) == label)
        return hits / len(texts)
