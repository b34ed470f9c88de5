"""Model settings in one place."""

MAX_FEATURES = 20_000
SEED = 13
CONFIG = {"seed": SEED, "max_features": MAX_FEATURES, "C": 4.0}
