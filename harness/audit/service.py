"""Recording audit events. Callers pass the session; the request or task boundary commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit.models import AuditEvent

__all__ = ["list_events", "record"]


def record(
    session: Session,
    action: str,
    *,
    actor: Reviewer | str | None = None,
    object_type: str = "",
    object_id: int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event. ``actor`` is a reviewer, or a label such as ``"cli"`` or ``"system"``."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if isinstance(actor, Reviewer) else None,
        actor_label=actor.email if isinstance(actor, Reviewer) else (actor or "system"),
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip=ip,
    )
    session.add(event)
    return event


def list_events(
    session: Session, *, limit: int = 200, offset: int = 0, action: str | None = None
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query).all()
