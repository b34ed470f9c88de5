"""Inviting candidates and resolving candidate links."""

from __future__ import annotations

import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.accounts.security import hash_token
from harness.accounts.service import normalise_email
from harness.assignments.spec import AssignmentSpec
from harness.audit import service as audit
from harness.db.base import utcnow
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Candidate, Invitation
from harness.invitations.repository import InvitationRepository
from harness.settings import Settings

if TYPE_CHECKING:
    from harness.assignments.loader import Assignment

__all__ = [
    "candidate_label",
    "create_invitation",
    "identity_hidden",
    "invitation_for_token",
    "new_candidate_token",
    "note_first_view",
    "note_kit_download",
    "starter_kit_path",
]

_TOKEN_BYTES = 32


def new_candidate_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def create_invitation(
    session: Session,
    spec: AssignmentSpec,
    *,
    name: str,
    email: str,
    actor: Reviewer | str | None,
    anonymous_review: bool = True,
    token: str | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its secret token (returned once; only its hash is stored).

    The time-box terms of the assignment are copied onto the invitation, so a later edit of the
    spec does not change what this candidate was promised. The clock itself starts later.
    """
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise HarnessError("the candidate's name must be 1 to 200 characters", status_code=422)
    email = normalise_email(email)
    token = token or new_candidate_token()
    repo = InvitationRepository(session)
    candidate = repo.candidate_by_email(email)
    if candidate is None or candidate.name != name:
        candidate = Candidate(name=name, email=email)
        repo.add(candidate)
    now = utcnow()
    invitation = Invitation(
        candidate=candidate,
        assignment_name=spec.name,
        assignment_version=spec.version,
        token_hash=hash_token(token),
        created_by_id=actor.id if isinstance(actor, Reviewer) else None,
        anonymous_review=anonymous_review,
        window_ends_at=now + timedelta(days=spec.policy.start_window_days),
        time_box_hours=spec.time_box_hours,
        grace_minutes=spec.policy.grace_minutes,
        extension_minutes=0,
        pay_kind=spec.pay.kind,
        pay_currency=spec.pay.currency,
        pay_hourly_rate=spec.pay.hourly_rate,
        pay_cap_hours=spec.pay.cap_hours,
        pay_flat_fee=spec.pay.flat_fee,
    )
    repo.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.create",
        actor=actor,
        object_type="invitation",
        object_id=invitation.id,
        assignment=spec.name,
    )
    return invitation, token


def invitation_for_token(session: Session, token: str) -> Invitation:
    """The active invitation behind a candidate link. Unknown and revoked look the same."""
    if not token or len(token) > 128:
        raise NotFound("this link is not valid; ask the hiring team for a new one")
    invitation = InvitationRepository(session).by_token_hash(hash_token(token))
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("this link is not valid; ask the hiring team for a new one")
    return invitation


def identity_hidden(invitation: Invitation) -> bool:
    """Anonymous review hides who the candidate is until someone records a decision."""
    return invitation.anonymous_review and not invitation.decisions


def candidate_label(invitation: Invitation) -> str:
    return (
        f"Candidate #{invitation.id}" if identity_hidden(invitation) else invitation.candidate.name
    )


_kit_lock = threading.Lock()


def starter_kit_path(settings: Settings, assignment: Assignment) -> Path:
    """The assignment's starter kit zip, built once per assignment version and cached."""
    dest = settings.data_dir / "kits" / f"{assignment.spec.name}-{assignment.spec.version}.zip"
    with _kit_lock:
        if not dest.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".building")
            built = assignment.starter_kit_zip(tmp)
            os.replace(built, dest)
    return dest


def note_kit_download(session: Session, invitation_id: int) -> None:
    """First starter-kit download (issue 5 may start the clock on it). Own write transaction."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is not None and invitation.kit_downloaded_at is None:
        invitation.kit_downloaded_at = utcnow()
        audit.record(
            session,
            "invitation.kit_download",
            actor="candidate",
            object_type="invitation",
            object_id=invitation.id,
        )


def note_first_view(session: Session, invitation_id: int) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is not None and invitation.first_viewed_at is None:
        invitation.first_viewed_at = utcnow()
