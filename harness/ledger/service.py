"""The time box of one invitation: its columns read as the ledger's values, and the changes to it.

``state_of`` turns an invitation's columns into a ``TimeBoxState``; ``start`` and ``extend`` apply
the pure rules of ``harness.ledger.timebox`` and write the result back, always together with
``deadline_at``, so the stored deadline is the computed one. Callers pass ``now`` from the
injected clock; nothing here reads the system time. The request (or task) boundary commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.spec import ClockStart, LatePolicy, Policy
from harness.audit import service as audit
from harness.errors import HarnessError
from harness.invitations.models import Invitation
from harness.ledger.clock import ensure_utc
from harness.ledger.models import TimeExtension
from harness.ledger.pay import NoSubmissionPay, NoSubmissionPolicy, PayTerms
from harness.ledger.timebox import (
    Countdown,
    SubmissionTiming,
    TimeBoxState,
    TimeBoxTerms,
    countdown,
    grant_extension,
    is_closed,
    start_clock,
    submission_timing,
)

if TYPE_CHECKING:
    from harness.settings import Settings

__all__ = [
    "NotTimed",
    "countdown_of",
    "extend",
    "extensions_of",
    "is_timed",
    "no_submission_policy_of",
    "pay_terms_of",
    "policy_fallback",
    "start",
    "state_of",
    "terms_of",
    "upload_timing",
    "valid_time_zone",
]


class NotTimed(HarnessError):
    """The invitation has no time box (made without one), so there is no clock to act on."""

    status_code = 409


def is_timed(invitation: Invitation) -> bool:
    """True when the invitation carries a time box (every invitation made by this version)."""
    return invitation.time_box_hours is not None and invitation.window_ends_at is not None


def policy_fallback(settings: Settings, invitation: Invitation) -> Policy | None:
    """The assignment's policy, for invitations made before late policy and clock start were
    copied onto them; ``None`` when the assignment cannot be loaded any more."""
    if invitation.late_policy is not None and invitation.clock_start is not None:
        return None
    from harness.assignments.loader import load_assignment

    try:
        return load_assignment(invitation.assignment_name, settings).spec.policy
    except HarnessError:
        return None


def terms_of(invitation: Invitation, policy: Policy | None = None) -> TimeBoxTerms:
    """The promised terms, from the invitation's own columns (``policy`` fills old rows' gaps)."""
    if not is_timed(invitation):
        raise NotTimed(f"invitation {invitation.id} has no time box")
    assert invitation.time_box_hours is not None and invitation.window_ends_at is not None
    late = invitation.late_policy or (policy.late.value if policy else LatePolicy.accept.value)
    clock = invitation.clock_start or (
        policy.clock_start.value if policy else ClockStart.button.value
    )
    return TimeBoxTerms(
        time_box_hours=invitation.time_box_hours,
        grace=timedelta(minutes=invitation.grace_minutes or 0),
        start_window=invitation.window_ends_at - invitation.created_at,
        late=LatePolicy(late),
        clock_start=ClockStart(clock),
    )


def state_of(invitation: Invitation, policy: Policy | None = None) -> TimeBoxState:
    """Where the invitation's time box stands, as the ledger's value."""
    terms = terms_of(invitation, policy)
    assert invitation.window_ends_at is not None
    return TimeBoxState(
        terms=terms,
        invited_at=invitation.created_at,
        window_ends_at=invitation.window_ends_at,
        started_at=invitation.started_at,
        window_extension=timedelta(minutes=invitation.window_extension_minutes or 0),
        extension=timedelta(minutes=invitation.extension_minutes or 0),
        extension_reason=invitation.extension_reason,
    )


def pay_terms_of(invitation: Invitation) -> PayTerms | None:
    """The invitation's pay terms, or ``None`` for an unpaid (or untimed) invitation."""
    if invitation.pay_kind is None or invitation.pay_currency is None:
        return None
    return PayTerms.from_columns(
        kind=invitation.pay_kind,
        currency=invitation.pay_currency,
        hourly_rate=invitation.pay_hourly_rate,
        cap_hours=invitation.pay_cap_hours,
        flat_fee=invitation.pay_flat_fee,
        time_box_hours=invitation.time_box_hours or Decimal(0),
    )


def no_submission_policy_of(invitation: Invitation) -> NoSubmissionPolicy:
    return NoSubmissionPolicy(
        pay=NoSubmissionPay(invitation.no_submission_pay or NoSubmissionPay.nothing.value),
        fixed_amount=invitation.no_submission_amount,
    )


def _write(invitation: Invitation, state: TimeBoxState) -> None:
    invitation.started_at = state.started_at
    invitation.deadline_at = state.deadline
    invitation.window_extension_minutes = state.window_extension // timedelta(minutes=1)
    invitation.extension_minutes = state.extension // timedelta(minutes=1)
    invitation.extension_reason = state.extension_reason


def valid_time_zone(name: str | None) -> str | None:
    """``name`` if it is an IANA time zone this machine knows, else ``None``."""
    if not name or len(name) > 64:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def start(
    session: Session,
    invitation: Invitation,
    now: datetime,
    *,
    trigger: ClockStart = ClockStart.button,
    time_zone: str | None = None,
    policy: Policy | None = None,
) -> TimeBoxState:
    """Start the invitation's clock at ``now`` (idempotent; see ``timebox.start_clock``).

    Raises ``WindowClosed`` (409) after the window to start has ended.
    """
    before = state_of(invitation, policy)
    after = start_clock(before, now, trigger=trigger)
    if after.started_at != before.started_at:
        _write(invitation, after)
        zone = valid_time_zone(time_zone)
        if zone:
            invitation.time_zone = zone
        audit.record(
            session,
            "invitation.start",
            actor="candidate",
            object_type="invitation",
            object_id=invitation.id,
            trigger=trigger.value,
            deadline=after.deadline.isoformat() if after.deadline else None,
        )
    return after


def extend(
    session: Session,
    invitation: Invitation,
    *,
    minutes: int,
    reason: str,
    actor: Reviewer | str,
    now: datetime,
    policy: Policy | None = None,
) -> TimeExtension:
    """Grant ``minutes`` more with a reason: to start (before the clock runs) or to finish.

    The deadline is recomputed and stored; a time box the sweep had closed is reopened when the
    new deadline (or window end) is still ahead. Each grant is a row and an audit event.
    """
    if invitation.revoked_at is not None:
        raise HarnessError(
            "this invitation was revoked; invite the candidate again", status_code=409
        )
    now = ensure_utc(now, "now")
    before = state_of(invitation, policy)
    after = grant_extension(before, minutes, reason)
    _write(invitation, after)
    if invitation.closed_at is not None and not is_closed(now, after):
        invitation.closed_at = None
    by = actor.email if isinstance(actor, Reviewer) else actor
    row = TimeExtension(
        invitation_id=invitation.id,
        minutes=minutes,
        reason=after.extension_reason or "",
        before_start=before.started_at is None,
        granted_by_id=actor.id if isinstance(actor, Reviewer) else None,
        granted_by=by,
        granted_at=now,
        deadline_before=before.deadline,
        deadline_after=after.deadline,
        window_ends_after=after.effective_window_end,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "invitation.extend",
        actor=actor,
        object_type="invitation",
        object_id=invitation.id,
        minutes=minutes,
        reason=row.reason,
        before_start=row.before_start,
        deadline_before=before.deadline.isoformat() if before.deadline else None,
        deadline_after=after.deadline.isoformat() if after.deadline else None,
        window_ends_after=after.effective_window_end.isoformat(),
    )
    return row


def extensions_of(session: Session, invitation_id: int) -> list[TimeExtension]:
    """Every extension granted to the invitation, oldest first."""
    return list(
        session.scalars(
            select(TimeExtension)
            .where(TimeExtension.invitation_id == invitation_id)
            .order_by(TimeExtension.id)
        )
    )


def countdown_of(
    invitation: Invitation, now: datetime, policy: Policy | None = None
) -> Countdown | None:
    """What the candidate page counts down to, or ``None`` for an untimed invitation."""
    if not is_timed(invitation):
        return None
    return countdown(now, state_of(invitation, policy))


def upload_timing(
    invitation: Invitation, now: datetime, policy: Policy | None = None
) -> SubmissionTiming | None:
    """On time, late, or refused, for an upload at ``now``; ``None`` for an untimed invitation."""
    if not is_timed(invitation):
        return None
    return submission_timing(now, state_of(invitation, policy))
