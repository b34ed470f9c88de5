"""tixclf: support ticket queue classifier with time-aware validation."""
