"""Support-ticket triage: predicts the queue a Tillpoint ticket belongs to."""

LABELS = (
    "bug_report",
    "how_to",
    "billing",
    "account_access",
    "feature_request",
    "refund",
    "shipping",
    "security_privacy",
)
