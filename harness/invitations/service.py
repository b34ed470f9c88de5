"""Inviting candidates and resolving candidate links."""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.accounts.security import hash_token
from harness.accounts.service import normalise_email
from harness.assignments.spec import AssignmentSpec
from harness.assignments.spec import PayTerms as SpecPayTerms
from harness.audit import service as audit
from harness.db.base import utcnow
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Candidate, Invitation
from harness.invitations.repository import InvitationRepository
from harness.ledger.clock import ensure_utc
from harness.ledger.errors import InvalidTerms
from harness.ledger.money import Money
from harness.ledger.pay import NoSubmissionPay, NoSubmissionPolicy, PayKind, PayTerms
from harness.ledger.timebox import TimeBoxTerms, open_invitation
from harness.settings import Settings

if TYPE_CHECKING:
    from harness.assignments.loader import Assignment

__all__ = [
    "InvitationTerms",
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
_MINUTE = timedelta(minutes=1)


def new_candidate_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


@dataclass(frozen=True)
class InvitationTerms:
    """Per-invitation overrides of the assignment's time box and pay; ``None`` keeps the spec's."""

    time_box_hours: Decimal | None = None
    """Hours of the time box (0 < h <= 40)."""
    grace_minutes: int | None = None
    """Minutes after the time box still on time (0 to 1440)."""
    start_window_days: int | None = None
    """Days the candidate has to start (1 to 90)."""
    pay_kind: str | None = None
    """``hourly`` or ``flat``; a kind other than the spec's takes none of the spec's amounts."""
    hourly_rate: Decimal | None = None
    cap_hours: Decimal | None = None
    """Hours paid at most (hourly); unset means the time box."""
    flat_fee: Decimal | None = None
    currency: str | None = None
    """ISO 4217 code of every amount."""
    no_submission_pay: str | None = None
    """``nothing`` (default), ``fixed`` or ``full``: owed when the time box closes empty."""
    no_submission_amount: Decimal | None = None
    """The amount for ``fixed``."""


@dataclass(frozen=True)
class _Pay:
    kind: str
    currency: str
    hourly_rate: Decimal | None
    cap_hours: Decimal | None
    flat_fee: Decimal | None


def _resolve_pay(spec_pay: SpecPayTerms, terms: InvitationTerms, time_box_hours: Decimal) -> _Pay:
    kind = terms.pay_kind or spec_pay.kind
    try:
        PayKind(kind)
    except ValueError:
        raise InvalidTerms(f"pay_kind must be 'hourly' or 'flat' (got {kind!r})") from None
    same = kind == spec_pay.kind
    pay = _Pay(
        kind=kind,
        currency=terms.currency or spec_pay.currency,
        hourly_rate=terms.hourly_rate
        if terms.hourly_rate is not None
        else (spec_pay.hourly_rate if same else None),
        cap_hours=terms.cap_hours
        if terms.cap_hours is not None
        else (spec_pay.cap_hours if same else None),
        flat_fee=terms.flat_fee
        if terms.flat_fee is not None
        else (spec_pay.flat_fee if same else None),
    )
    # Validates the combination (a rate for hourly, a fee for flat, a known currency).
    checked = PayTerms.from_columns(
        kind=pay.kind,
        currency=pay.currency,
        hourly_rate=pay.hourly_rate,
        cap_hours=pay.cap_hours,
        flat_fee=pay.flat_fee,
        time_box_hours=time_box_hours,
    )
    # Keep only what the kind uses, so a flat invitation never shows an hourly rate.
    if checked.kind == PayKind.flat:
        return _Pay(pay.kind, pay.currency, None, None, pay.flat_fee)
    return _Pay(pay.kind, pay.currency, pay.hourly_rate, pay.cap_hours, None)


def create_invitation(
    session: Session,
    spec: AssignmentSpec,
    *,
    name: str,
    email: str,
    actor: Reviewer | str | None,
    anonymous_review: bool = True,
    token: str | None = None,
    terms: InvitationTerms | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its secret token (returned once; only its hash is stored).

    The time-box, late and pay terms of the assignment (with ``terms`` overriding them) are
    copied onto the invitation, so a later edit of the spec does not change what this
    candidate was promised. The clock itself starts later. Raises ``InvalidTerms`` (422) for
    overrides that cannot be honoured.
    """
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise HarnessError("the candidate's name must be 1 to 200 characters", status_code=422)
    email = normalise_email(email)
    terms = terms or InvitationTerms()
    now = ensure_utc(now, "now") if now is not None else utcnow()
    box = TimeBoxTerms.from_spec(
        spec,
        time_box_hours=terms.time_box_hours,
        grace_minutes=terms.grace_minutes,
        start_window_days=terms.start_window_days,
    )
    pay = _resolve_pay(spec.pay, terms, box.time_box_hours)
    try:
        empty = NoSubmissionPolicy(
            pay=NoSubmissionPay(terms.no_submission_pay or NoSubmissionPay.nothing.value),
            fixed_amount=terms.no_submission_amount,
        )
    except ValueError:
        raise InvalidTerms(
            "no_submission_pay must be 'nothing', 'fixed' (with no_submission_amount) or 'full'"
        ) from None
    fixed = (
        Money(empty.fixed_amount, pay.currency).amount if empty.fixed_amount is not None else None
    )
    token = token or new_candidate_token()
    repo = InvitationRepository(session)
    candidate = repo.candidate_by_email(email)
    if candidate is None or candidate.name != name:
        candidate = Candidate(name=name, email=email, created_at=now)
        repo.add(candidate)
    invitation = Invitation(
        candidate=candidate,
        assignment_name=spec.name,
        assignment_version=spec.version,
        token_hash=hash_token(token),
        created_at=now,
        created_by_id=actor.id if isinstance(actor, Reviewer) else None,
        anonymous_review=anonymous_review,
        window_ends_at=open_invitation(now, box),
        time_box_hours=box.time_box_hours,
        grace_minutes=box.grace // _MINUTE,
        extension_minutes=0,
        window_extension_minutes=0,
        late_policy=box.late.value,
        clock_start=box.clock_start.value,
        pay_kind=pay.kind,
        pay_currency=pay.currency,
        pay_hourly_rate=pay.hourly_rate,
        pay_cap_hours=pay.cap_hours,
        pay_flat_fee=pay.flat_fee,
        no_submission_pay=empty.pay.value,
        no_submission_amount=fixed if empty.pay == NoSubmissionPay.fixed else None,
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
        time_box_hours=f"{box.time_box_hours:f}",
        pay_kind=pay.kind,
        currency=pay.currency,
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
