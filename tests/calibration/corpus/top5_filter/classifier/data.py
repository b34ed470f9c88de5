"""Data loading and preparation."""
import pandas as pd

TOP_N_CLASSES = 5


def load_tickets(path: str) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["text"] = df["subject"].fillna("") + ". " + df["body"].fillna("")
    return df


def keep_top_classes(df: pd.DataFrame, n: int = TOP_N_CLASSES) -> pd.DataFrame:
    """Keep only the n most frequent queues.

    The smaller queues have too few examples to learn from reliably, so we focus the
    model on the main categories.
    """
    top = df["label"].value_counts().head(n).index
    return df[df["label"].isin(top)].reset_index(drop=True)
