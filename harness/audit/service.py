"""Recording audit events. Callers pass the session; the request or task boundary commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from harness.audit.models import AuditEvent

__all__ = ["Actor", "list_events", "record", "redact", "redact_naming"]


class Actor(Protocol):
    """Who did it, when it is a person with an account (a ``Reviewer`` is one). The audit log
    sits below the accounts, so it names what it reads of them instead of importing them."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | str | None = None,
    object_type: str = "",
    object_id: int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event. ``actor`` is a reviewer, or a label such as ``"cli"`` or ``"system"``."""
    if actor is None or isinstance(actor, str):
        actor_id, label = None, actor or "system"
    else:
        actor_id, label = actor.id, actor.email
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        actor_label=label,
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


def redact(session: Session, object_type: str, ids: Sequence[int] | frozenset[int]) -> int:
    """Detach events from erased objects: the action, actor and time stay (who did what, when),
    the object's id and the event's details go. Returns how many events were redacted."""
    if not ids:
        return 0
    result = session.execute(
        update(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(list(ids)))
        .values(object_id=None, detail={"redacted": True})
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def redact_naming(session: Session, action: str, key: str, values: Collection[str]) -> int:
    """Redact ``action`` events whose detail ``key`` is one of ``values`` (an erased
    candidate's address in a reviewer's declared conflict): the object stays, the detail goes."""
    if not values:
        return 0
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
    hits = [e for e in events if isinstance(e.detail, dict) and e.detail.get(key) in values]
    for event in hits:
        event.detail = {"redacted": True}
    return len(hits)

