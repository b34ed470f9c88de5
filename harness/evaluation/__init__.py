"""Evaluating predictions against held-out labels, on the host: file checks, metrics, intervals."""
