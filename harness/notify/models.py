"""The record of notifications sent: one row per idempotence key, so each goes out once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from harness.db.base import Base, UTCDateTime

__all__ = ["SentNotification"]


class SentNotification(Base):
    __tablename__ = "notifications_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """The notification's idempotence key (``deadline-approaching:12:2026-...``)."""
    kind: Mapped[str] = mapped_column(String(32), index=True)
    recipients: Mapped[int] = mapped_column(Integer)
    """How many addresses it went to (the addresses themselves are not kept here)."""
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
