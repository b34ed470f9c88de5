import pandas as pd


def read_tickets(path):
    df = pd.read_csv(path)
    df["text"] = (df["subject"].fillna("") + " " + df["body"].fillna("")).str.lower()
    return df
