import re

import pandas as pd


def load(path):
    df = pd.read_csv(path)
    df["subject"] = df["subject"].fillna("")
    df["body"] = df["body"].fillna("")
    return df


def preprocess(text):
    """lowercase, keep letters only"""
    text = text.lower()
    text = re.sub(r"[^a-z ]", " ", text)
    return " ".join(text.split())


def make_text(df):
    return (df["subject"] + " " + df["body"]).apply(preprocess)
