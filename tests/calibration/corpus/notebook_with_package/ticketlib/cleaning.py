"""Removing e-mail history and boilerplate from ticket bodies."""
import re

REPLY_HEADER = re.compile(r"^(On .{0,150}wrote:|-----Original Message-----)\s*$", re.MULTILINE)
BOILERPLATE = re.compile(r"^(>.*|Sent from my .*|Get Outlook for .*|App version .*)$", re.MULTILINE)


def clean_body(body):
    """Keep only the newest message of a thread."""
    match = REPLY_HEADER.search(body)
    if match:
        body = body[: match.start()]
    return " ".join(BOILERPLATE.sub(" ", body).split())


def ticket_text(df):
    """Subject + cleaned body for every row of a ticket DataFrame."""
    bodies = df["body"].fillna("").map(clean_body)
    return (df["subject"].fillna("") + " | " + bodies).str.lower()
