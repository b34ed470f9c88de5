"""Factories of small, deterministic ticket tables."""

from __future__ import annotations

import random

import pandas as pd

VOCAB = {
    "billing": ["invoice", "charged", "twice", "payment", "card"],
    "refund": ["refund", "money", "back", "return", "order"],
    "bug_report": ["crash", "error", "broken", "app", "freezes"],
    "how_to": ["how", "do", "i", "export", "report"],
}


def make_tickets(n: int = 80, seed: int = 7, labelled: bool = True) -> pd.DataFrame:
    """``n`` tickets whose words depend on their label, so a model can learn them."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = list(VOCAB)[i % len(VOCAB)]
        words = VOCAB[label]
        rows.append(
            {
                "id": f"T-{i:05d}",
                "subject": " ".join(rng.choice(words) for _ in range(3)),
                "body": "Hi team,\n" + " ".join(rng.choice(words) for _ in range(12)) + "\nThanks",
                "label": label,
            }
        )
    frame = pd.DataFrame(rows)
    return frame if labelled else frame.drop(columns=["label"])
