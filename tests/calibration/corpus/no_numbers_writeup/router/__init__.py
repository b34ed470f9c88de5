"""Ticket router package."""
