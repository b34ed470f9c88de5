"""Naive Bayes written from scratch (no scikit-learn), to show the mechanics.

Log-space, Laplace smoothing, vocabulary pruned to words seen at least twice.
"""
from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections import Counter, defaultdict

WORD = re.compile(r"[a-z][a-z']+")


def words(subject: str, body: str) -> list[str]:
    return WORD.findall(f"{subject} {subject} {body}".lower())  # subject counts twice


class NaiveBayes:
    def __init__(self, smoothing: float = 1.0) -> None:
        self.smoothing = smoothing
        self.priors: dict[str, float] = {}
        self.likelihood: dict[str, dict[str, float]] = {}
        self.unseen: dict[str, float] = {}

    def fit(self, docs: list[list[str]], labels: list[str]) -> NaiveBayes:
        seen = Counter(w for doc in docs for w in set(doc))
        vocab = {w for w, n in seen.items() if n >= 2}
        per_label: dict[str, Counter[str]] = defaultdict(Counter)
        for doc, label in zip(docs, labels):
            per_label[label].update(w for w in doc if w in vocab)
        total = len(labels)
        for label, counter in per_label.items():
            self.priors[label] = math.log(labels.count(label) / total)
            mass = sum(counter.values()) + self.smoothing * len(vocab)
            self.likelihood[label] = {w: math.log((n + self.smoothing) / mass) for w, n in counter.items()}
            self.unseen[label] = math.log(self.smoothing / mass)
        return self

    def predict_one(self, doc: list[str]) -> str:
        def score(label: str) -> float:
            table, floor = self.likelihood[label], self.unseen[label]
            return self.priors[label] + sum(table.get(w, floor) for w in doc)

        return max(self.priors, key=score)

    def to_json(self) -> str:
        return json.dumps({"s": self.smoothing, "p": self.priors, "l": self.likelihood, "u": self.unseen})

    @classmethod
    def from_json(cls, text: str) -> NaiveBayes:
        raw = json.loads(text)
        model = cls(raw["s"])
        model.priors, model.likelihood, model.unseen = raw["p"], raw["l"], raw["u"]
        return model


def rows(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def main(argv: list[str]) -> int:
    if argv[0] == "train":
        data = rows(argv[1])
        model = NaiveBayes().fit([words(r["subject"], r["body"]) for r in data], [r["label"] for r in data])
        with open(f"{argv[2]}/nb.json", "w", encoding="utf-8") as fh:
            fh.write(model.to_json())
        return 0
    with open(f"{argv[1]}/nb.json", encoding="utf-8") as fh:
        model = NaiveBayes.from_json(fh.read())
    with open(argv[3], "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "label"])
        for r in rows(argv[2]):
            writer.writerow([r["id"], model.predict_one(words(r["subject"], r["body"]))])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
