"""Factory for small synthetic ticket tables in the assignment's format."""

from __future__ import annotations

import pandas as pd

PHRASES = {
    "billing": ["why was I charged twice on my invoice", "please send the invoice for March"],
    "account_access": ["I cannot log in, password reset never arrives", "locked out of my login"],
    "shipping": ["my reader order has not arrived, tracking stuck", "the parcel was never delivered"],
    "refund": ["please refund the subscription, I cancelled", "I want my money back, refund please"],
}


def make_tickets(per_label: int = 6, with_label: bool = True) -> pd.DataFrame:
    """A small ticket table in the assignment's format, ``per_label`` tickets per class."""
    rows = []
    for label, phrases in PHRASES.items():
        for i in range(per_label):
            rows.append(
                {
                    "id": f"T-{label[:3]}{i:03d}",
                    "subject": phrases[i % 2].split(",")[0][:30],
                    "body": f"Hi,\n\n{phrases[i % 2]}.\n\nThanks,\nSam",
                    "channel": "email" if i % 2 else "chat",
                    "customer_plan": "starter",
                    "product_area": "" if i % 3 == 0 else "account",
                    "created_at": "2024-05-01T10:00:00Z",
                    "label": label,
                }
            )
    frame = pd.DataFrame(rows)
    return frame if with_label else frame.drop(columns=["label"])
