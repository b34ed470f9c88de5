"""Deterministic generator of the support-ticket data set (see ``generate.py``)."""

from .generate import generate, main

__all__ = ["generate", "main"]
