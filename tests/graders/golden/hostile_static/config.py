"""Settings, committed with credentials (a hostile-input fixture: these are AWS's documented examples)."""

AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
api_key = "q8Zr2LmX0vT4nK7pB1sW9yD3"
DATA_PATH = "/home/alice/projects/tickets/train.csv"
MODEL_PATH = "C:\\Users\\alice\\models\\model.pkl"
