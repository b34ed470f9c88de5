"""Support-ticket classification: data loading, the model, and the command line."""

__all__ = ["cli", "data", "model"]
