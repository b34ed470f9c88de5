"""Alembic revision files (this file only makes the folder part of an installed package)."""
