"""Settings, committed with credentials (a hostile-input fixture: made-up keys in real shapes)."""

AWS_ACCESS_KEY_ID = "AKIAZ7Q2M4RX6KD3PLWB"
aws_secret_access_key = "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"
api_key = "q8Zr2LmX0vT4nK7pB1sW9yD3"
DATA_PATH = "/home/alice/projects/tickets/train.csv"
MODEL_PATH = "C:\\Users\\alice\\models\\model.pkl"
