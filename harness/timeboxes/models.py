"""The extensions granted to an invitation's time box, one row per grant (also audited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from harness.db.base import Base, UTCDateTime

__all__ = ["TimeExtension"]


class TimeExtension(Base):
    """One extension a reviewer granted, with its reason (also in the audit log)."""

    __tablename__ = "time_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    before_start: Mapped[bool] = mapped_column(Boolean)
    """Granted before the clock started: it moved the end of the window to start, not the
    deadline."""
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    granted_by: Mapped[str] = mapped_column(String(320))
    """The reviewer's email (or ``cli``), readable even if the account is deleted."""
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The deadline after this grant (null when granted before the start)."""
    window_ends_after: Mapped[datetime] = mapped_column(UTCDateTime())
    """The end of the window to start after this grant."""
