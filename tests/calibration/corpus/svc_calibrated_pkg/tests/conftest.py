import pandas as pd
import pytest

EXAMPLES = {
    "billing": ["Why is there a second charge on my invoice this month?", "Please update the card we pay with"],
    "account_access": ["I can't sign in, the two-factor code never arrives", "Locked out after a password reset"],
    "shipping": ["The card reader I ordered has not arrived, tracking is stuck", "Parcel delivered to the wrong address"],
    "refund": ["I cancelled but was charged, I want that money back", "Returning the reader, please refund it"],
}


@pytest.fixture
def tickets() -> pd.DataFrame:
    rows = []
    for label, texts in EXAMPLES.items():
        for i in range(8):
            rows.append({
                "id": f"T-{label[:2]}{i}", "subject": texts[i % 2][:25], "body": texts[i % 2],
                "channel": ["email", "chat"][i % 2], "customer_plan": "growth",
                "product_area": "", "created_at": "2024-03-01T09:00:00Z", "label": label,
            })
    return pd.DataFrame(rows)
