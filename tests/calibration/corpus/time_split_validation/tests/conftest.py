import pandas as pd
import pytest

PHRASES = {
    "billing": "please explain the processing fee on my invoice",
    "refund": "I returned the reader, please refund it",
    "how_to": "how do I set up tipping on the app",
    "bug_report": "the sales report totals are wrong since the update",
}


@pytest.fixture
def tickets():
    rows = []
    for day in range(1, 11):
        for label, phrase in PHRASES.items():
            rows.append({
                "id": f"T-{day:02d}{label[:2]}", "subject": phrase.split()[-1], "body": phrase,
                "channel": "email", "customer_plan": "growth", "product_area": "",
                "created_at": f"2024-04-{day:02d}T12:00:00Z", "label": label,
            })
    return pd.DataFrame(rows)
