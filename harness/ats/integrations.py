"""ATS integrations and their keys: created and revoked by an admin, checked on every call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.ats.keys import key_hash, new_key
from harness.ats.models import (
    AtsAssessment,
    AtsCallbackAttempt,
    AtsErrorReport,
    AtsIntegration,
)
from harness.ats.registry import adapter_for
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError, NotFound
from harness.settings import Settings

__all__ = [
    "AtsUnauthorized",
    "CreatedIntegration",
    "IntegrationsPage",
    "authenticate",
    "create_integration",
    "integrations_page",
    "list_integrations",
    "note_use",
    "revoke_integration",
]

_TOUCH_EVERY = timedelta(minutes=5)


class AtsUnauthorized(HarnessError):
    status_code = 401


@dataclass(frozen=True)
class CreatedIntegration:
    integration: AtsIntegration
    key: str
    """Shown once: the admin gives it to the ATS."""


def _label(actor: Reviewer | str) -> str:
    return actor if isinstance(actor, str) else actor.email


def create_integration(
    session: Session,
    settings: Settings,
    *,
    provider: str,
    name: str,
    actor: Reviewer | str,
    now: datetime,
) -> CreatedIntegration:
    """A new integration with a fresh key (returned once)."""
    adapter_for(provider)  # refuses unknown providers
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise HarnessError("give the integration a name of 1 to 200 characters", status_code=422)
    made = new_key(settings.secret_key)
    row = AtsIntegration(
        provider=provider,
        name=name,
        key_hash=made.hash,
        key_salt=made.salt,
        key_prefix=made.prefix,
        created_at=now,
        created_by=_label(actor),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "ats.key_create",
        actor=actor,
        object_type="ats_integration",
        object_id=row.id,
        provider=provider,
        prefix=made.prefix,
    )
    return CreatedIntegration(row, made.key)


def revoke_integration(
    session: Session, integration_id: int, *, actor: Reviewer | str, now: datetime
) -> AtsIntegration:
    """Refuse the key from now on and stop its pending callbacks."""
    row = session.get(AtsIntegration, integration_id)
    if row is None:
        raise NotFound(f"ATS integration {integration_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now, _label(actor)
        session.execute(
            update(AtsAssessment)
            .where(
                AtsAssessment.integration_id == row.id, AtsAssessment.callback_state == "pending"
            )
            .values(callback_state="revoked", callback_due_at=None)
        )
        audit.record(
            session, "ats.key_revoke", actor=actor, object_type="ats_integration", object_id=row.id
        )
    return row


def list_integrations(session: Session) -> Sequence[AtsIntegration]:
    return session.scalars(select(AtsIntegration).order_by(AtsIntegration.id)).all()


def authenticate(session: Session, provider: str, key: str | None) -> AtsIntegration:
    """The active integration of ``provider`` whose key this is; unknown, revoked and
    other-provider keys are refused alike."""
    if key:
        row = session.scalar(select(AtsIntegration).where(AtsIntegration.key_hash == key_hash(key)))
        if row is not None and row.revoked_at is None and row.provider == provider:
            return row
    raise AtsUnauthorized("the API key is missing, not valid or revoked")


def note_use(
    db: Database, session: Session, integration: AtsIntegration, now: datetime, *, writing: bool
) -> None:
    """Record when the key was last used, at most every few minutes: in the request's own
    transaction when it writes anyway (``writing``), else in a short one of its own."""
    if integration.last_used_at is not None and now - integration.last_used_at < _TOUCH_EVERY:
        return
    if writing:
        integration.last_used_at = now
        return
    with db.session(write=True) as own:
        own.execute(
            update(AtsIntegration)
            .where(AtsIntegration.id == integration.id)
            .values(last_used_at=now)
        )


@dataclass(frozen=True)
class IntegrationsPage:
    """The admin's page: integrations, and the latest callback attempts and error reports."""

    integrations: Sequence[AtsIntegration]
    attempts: Sequence[tuple[AtsCallbackAttempt, AtsAssessment]]
    errors: Sequence[AtsErrorReport]
    pending: int
    """Callbacks waiting for their next attempt."""


def integrations_page(session: Session, *, limit: int = 50) -> IntegrationsPage:
    attempts = session.execute(
        select(AtsCallbackAttempt, AtsAssessment)
        .join(AtsAssessment, AtsAssessment.id == AtsCallbackAttempt.assessment_id)
        .order_by(AtsCallbackAttempt.id.desc())
        .limit(limit)
    ).all()
    errors = session.scalars(
        select(AtsErrorReport).order_by(AtsErrorReport.id.desc()).limit(limit)
    ).all()
    pending = len(
        session.scalars(
            select(AtsAssessment.id).where(AtsAssessment.callback_state == "pending")
        ).all()
    )
    return IntegrationsPage(
        list_integrations(session), [(a, b) for a, b in attempts], errors, pending
    )
