"""Text preparation shared by training and prediction."""

import re

import pandas as pd

SIGNOFFS = ("thanks", "thank you", "regards", "cheers", "best")


def clean_text(text):
    """Lower-case, drop quoted replies and collapse whitespace."""
    text = str(text).lower()
    text = text.split("-----original message-----")[0]
    return re.sub(r"\s+", " ", text).strip()


def build_text(df: pd.DataFrame) -> list[str]:
    """Subject plus cleaned body for every row."""
    return [clean_text(s) + " " + clean_text(b) for s, b in zip(df["subject"], df["body"])]


def drop_signoff(text: str) -> str:
    for word in SIGNOFFS:
        idx = text.rfind(word)
        if idx > len(text) * 0.6:
            return text[:idx].strip()
    return text
