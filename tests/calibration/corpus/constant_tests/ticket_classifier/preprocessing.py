"""Text preprocessing."""
import re

import pandas as pd

from ticket_classifier.config import TEXT_COLUMNS

QUOTE_RE = re.compile(r"^(On .*wrote:|-----Original Message-----)", re.MULTILINE)


def remove_quoted(body: str) -> str:
    """Cut an e-mail body at the first quoted reply header."""
    m = QUOTE_RE.search(body)
    return body[: m.start()] if m else body


def build_text(df: pd.DataFrame) -> pd.Series:
    """Subject + body without quoted replies, lower-cased."""
    subject, body = (df[c].fillna("") for c in TEXT_COLUMNS)
    return (subject + " " + body.map(remove_quoted)).str.lower()
