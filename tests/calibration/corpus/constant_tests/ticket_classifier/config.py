"""Configuration for the ticket classifier."""

LABELS = [
    "bug_report", "how_to", "billing", "account_access",
    "feature_request", "refund", "shipping", "security_privacy",
]
TEXT_COLUMNS = ["subject", "body"]
TFIDF_MAX_FEATURES = 50000
TFIDF_NGRAM_RANGE = (1, 2)
TFIDF_MIN_DF = 2
SVM_C = 0.5
RANDOM_STATE = 42
CV_FOLDS = 5
MODEL_FILENAME = "model.joblib"
