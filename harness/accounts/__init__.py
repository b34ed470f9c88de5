"""Reviewers: accounts, password login and API tokens."""
