"""Helpers used by solution.ipynb."""
