import pandas as pd

TEXTS = {
    "bug_report": ("App crashes at checkout", "The app crashes every time I press charge."),
    "how_to": ("How do I add a product", "How do I add a new product with variants?"),
    "refund": ("Refund my subscription", "I cancelled last month and want my money back."),
    "security_privacy": ("Suspicious login", "Someone logged in from another country, delete their access."),
}


def tickets(n: int = 5, labelled: bool = True) -> pd.DataFrame:
    rows = [
        {"id": f"T-{label[:3]}-{i}", "subject": subj, "body": body, "channel": "email",
         "customer_plan": "starter", "product_area": "", "created_at": "2024-02-02T10:00:00Z",
         "label": label}
        for label, (subj, body) in TEXTS.items() for i in range(n)
    ]
    df = pd.DataFrame(rows)
    return df if labelled else df.drop(columns="label")
