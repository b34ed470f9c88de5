"""Ticket triage: code extracted from notebooks/01_exploration.ipynb once it settled."""
