"""Ticket routing model."""
