import re

import pandas as pd

URL = re.compile(r"https?://\S+")
NON_ALPHA = re.compile(r"[^a-z']+")


def normalize(text: str) -> str:
    text = URL.sub(" ", text.lower())
    return NON_ALPHA.sub(" ", text).strip()


def combined_text(df: pd.DataFrame) -> pd.Series:
    return (df["subject"].fillna("") + " " + df["body"].fillna("")).map(normalize)
