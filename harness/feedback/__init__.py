"""Feedback for candidates after a decision, the comments reviewers share with them, and the
one-minute candidate survey summarised for the hiring team."""
