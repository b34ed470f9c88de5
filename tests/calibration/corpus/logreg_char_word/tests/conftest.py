import itertools

import pandas as pd
import pytest

SNIPPETS = {
    "account_access": ["cannot log in to the dashboard", "two factor code not received", "reset my password"],
    "billing": ["question about my invoice", "why did my plan price go up", "change the card on file"],
    "shipping": ["where is my reader delivery", "tracking number shows no movement", "parcel arrived damaged"],
    "feature_request": ["please add dark mode", "would love an export to excel", "can you support tips split"],
}


def make_frame(per_class: int = 6, labelled: bool = True) -> pd.DataFrame:
    rows = []
    counter = itertools.count()
    for label, snippets in SNIPPETS.items():
        for i in range(per_class):
            rows.append({
                "id": f"T-{next(counter):05d}",
                "subject": snippets[i % 3].title(),
                "body": f"Hello,\n{snippets[i % 3]} since yesterday.\nThanks\nSent from my iPhone",
                "channel": "email", "customer_plan": "free", "product_area": "",
                "created_at": "2024-01-01T00:00:00Z", "label": label,
            })
    frame = pd.DataFrame(rows)
    return frame if labelled else frame.drop(columns="label")


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_frame()
