"""Persistence: the SQLAlchemy base, engine/session factory and migrations runner."""
