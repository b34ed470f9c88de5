"""Alembic migrations of the harness database (run by ``harness serve`` at start)."""
