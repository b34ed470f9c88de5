"""Shared text preparation for train.py and predict.py."""
import pandas as pd


def load(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def text(df):
    """Subject and body in one lower-case string."""
    return (df["subject"] + " " + df["body"]).str.lower()
