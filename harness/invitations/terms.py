"""What an invitation promised, as stored on it: its columns read as the ledger's values, and
written from them.

An invitation copies its time box, late policy, clock start and pay terms from the assignment
when it is made (so a later edit of the spec changes nothing for this candidate). This module is
the one place that maps those columns to ``harness.ledger`` values (``TimeBoxTerms``,
``TimeBoxState``, ``PayTerms``, ``NoSubmissionPolicy``) and back; everything else works with
the values. Pure: no session, no clock.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from harness.errors import HarnessError
from harness.invitations.models import Invitation
from harness.ledger.pay import NoSubmissionPay, NoSubmissionPolicy, PayTerms
from harness.ledger.timebox import (
    ClockStart,
    LatePolicy,
    TimeBoxState,
    TimeBoxTerms,
    open_invitation,
)

if TYPE_CHECKING:
    from datetime import datetime

    from harness.assignments.spec import Policy
    from harness.settings import Settings

__all__ = [
    "NotTimed",
    "is_timed",
    "no_submission_policy_of",
    "pay_terms_of",
    "policy_fallback",
    "state_of",
    "terms_of",
    "write_promise",
    "write_state",
]

_MINUTE = timedelta(minutes=1)


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
    return PayTerms.stated(
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


def write_promise(
    invitation: Invitation,
    box: TimeBoxTerms,
    pay: PayTerms,
    if_nothing_submitted: NoSubmissionPolicy,
    *,
    invited_at: datetime,
) -> None:
    """Store what a new invitation promises: its time box (the window opens at ``invited_at``),
    its pay terms and what is owed if nothing is submitted."""
    invitation.window_ends_at = open_invitation(invited_at, box)
    invitation.time_box_hours = box.time_box_hours
    invitation.grace_minutes = box.grace // _MINUTE
    invitation.extension_minutes = 0
    invitation.window_extension_minutes = 0
    invitation.late_policy = box.late.value
    invitation.clock_start = box.clock_start.value
    invitation.pay_kind = pay.kind.value
    invitation.pay_currency = pay.currency
    invitation.pay_hourly_rate = pay.hourly_rate
    invitation.pay_cap_hours = pay.cap_hours
    invitation.pay_flat_fee = pay.flat_fee
    invitation.no_submission_pay = if_nothing_submitted.pay.value
    invitation.no_submission_amount = if_nothing_submitted.fixed_amount


def write_state(invitation: Invitation, state: TimeBoxState) -> None:
    """Store a changed time box (a start, an extension), always with the deadline it implies."""
    invitation.started_at = state.started_at
    invitation.deadline_at = state.deadline
    invitation.window_extension_minutes = state.window_extension // _MINUTE
    invitation.extension_minutes = state.extension // _MINUTE
    invitation.extension_reason = state.extension_reason
