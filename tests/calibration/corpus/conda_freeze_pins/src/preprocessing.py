import re
import pandas as pd


def load_data(path):
    df = pd.read_csv(path)
    df["subject"] = df["subject"].fillna("")
    df["body"] = df["body"].fillna("")
    return df


def clean(text):
    text = text.lower()
    # remove the quoted previous emails
    text = re.split(r"\non .*wrote:", text)[0]
    text = re.sub(r"[^a-z\s]", " ", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def preprocess(df):
    df["text"] = (df["subject"] + " " + df["body"]).apply(clean)
    return df
