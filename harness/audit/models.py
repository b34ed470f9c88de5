"""Audit events: append-only records of who did what to which object."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from harness.db.base import Base, UTCDateTime, utcnow

__all__ = ["AuditEvent"]


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"), index=True)
    """The reviewer; null for the system, a CLI command or a candidate."""
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    """Who, readable even if the reviewer is deleted (email, ``cli``, ``candidate``, ``system``)."""
    action: Mapped[str] = mapped_column(String(64), index=True)
    """Dotted verb, e.g. ``submission.regrade`` or ``decision.record``."""
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
