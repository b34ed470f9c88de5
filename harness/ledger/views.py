"""API views of the ledger, built from rows (anonymous review applied here, like ``api.views``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.assignments.spec import Policy
from harness.invitations.models import Invitation
from harness.invitations.service import candidate_label
from harness.ledger import service as timebox_service
from harness.ledger.clock import ensure_utc
from harness.ledger.export import Total, totals_by_assignment, totals_by_currency, totals_by_month
from harness.ledger.models import PaymentRecord, TimeExtension
from harness.ledger.pay import describe_pay, hours_worked
from harness.ledger.payments import (
    candidate_for_payroll,
    payment_for_invitation,
    payroll_rows,
)
from harness.ledger.process import Milestone, Step, StepMedian, Timeline, at_risk
from harness.ledger.schemas import (
    AtRiskOut,
    ExtensionOut,
    HoursOut,
    LedgerOut,
    MilestoneOut,
    PaymentOut,
    PaymentsOut,
    ProcessOut,
    StepMedianOut,
    TimeBoxOut,
    TimelineOut,
    TotalOut,
)
from harness.ledger.timelines import ProcessOverview, durations, timeline_of_loaded
from harness.submissions.models import Submission

__all__ = [
    "extension_out",
    "ledger_out",
    "payment_out",
    "payments_out",
    "process_out",
    "timebox_out",
    "timeline_out",
]


def timebox_out(
    invitation: Invitation, now: datetime, policy: Policy | None = None
) -> TimeBoxOut | None:
    """The time box at ``now``; ``None`` for an untimed invitation."""
    if not timebox_service.is_timed(invitation):
        return None
    state = timebox_service.state_of(invitation, policy)
    clock = timebox_service.countdown_of(invitation, now, policy)
    assert clock is not None
    terms = timebox_service.pay_terms_of(invitation)
    return TimeBoxOut(
        phase=clock.phase.value,
        remaining_seconds=clock.remaining_seconds,
        phase_ends_at=clock.phase_ends_at,
        now=ensure_utc(now),
        invited_at=state.invited_at,
        window_ends_at=state.effective_window_end,
        started_at=state.started_at,
        work_ends_at=state.work_ends_at,
        deadline_at=state.deadline,
        time_box_hours=state.terms.time_box_hours,
        grace_minutes=state.terms.grace // timedelta(minutes=1),
        late_policy=state.terms.late.value,
        clock_start=state.terms.clock_start.value,
        extension_minutes=invitation.extension_minutes or 0,
        window_extension_minutes=invitation.window_extension_minutes or 0,
        capped_by_window=state.capped_by_window,
        pay=describe_pay(terms) if terms else None,
    )


def extension_out(row: TimeExtension) -> ExtensionOut:
    return ExtensionOut(
        id=row.id,
        minutes=row.minutes,
        reason=row.reason,
        before_start=row.before_start,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        deadline_before=row.deadline_before,
        deadline_after=row.deadline_after,
        window_ends_after=row.window_ends_after,
    )


def payment_out(row: PaymentRecord, *, show_identity: bool) -> PaymentOut:
    name, email = candidate_for_payroll(row.invitation, show_identity=show_identity)
    return PaymentOut(
        id=row.id,
        invitation_id=row.invitation_id,
        candidate=name,
        email=email or None,
        assignment=row.invitation.assignment_name,
        status=row.status,
        basis=row.basis,
        amount=row.amount,
        currency=row.currency,
        hours=row.hours,
        submission_id=row.submission_id,
        owed_at=row.owed_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        paid_on=row.paid_on,
        reference=row.reference,
    )


def _totals(totals: Sequence[Total]) -> list[TotalOut]:
    return [
        TotalOut(key=t.key, currency=t.amount.currency, amount=t.amount.amount, count=t.count)
        for t in totals
    ]


def payments_out(rows: Sequence[PaymentRecord], *, show_identity: bool) -> PaymentsOut:
    payroll = payroll_rows(rows, show_identity=show_identity)
    return PaymentsOut(
        items=[payment_out(r, show_identity=show_identity) for r in rows],
        totals_by_month=_totals(totals_by_month(payroll)),
        totals_by_assignment=_totals(totals_by_assignment(payroll)),
        totals_by_currency=_totals(totals_by_currency(payroll)),
    )


def timeline_out(
    timeline: Timeline | None,
    now: datetime,
    *,
    target_days: int,
    medians: dict[Step, StepMedian] | None = None,
) -> TimelineOut:
    if timeline is None:
        return TimelineOut(milestones=[], steps={}, waiting_for=None, risk=None, risk_message=None)
    risk = at_risk(now, timeline, timedelta(days=target_days), medians=medians)
    return TimelineOut(
        milestones=[MilestoneOut(milestone=m.value, at=timeline.at(m)) for m in Milestone],
        steps={step.value: d.total_seconds() for step, d in durations(timeline)},
        waiting_for=timeline.waiting_for.value if timeline.waiting_for else None,
        risk=risk.level.value if risk else None,
        risk_message=risk.message if risk else None,
    )


def ledger_out(
    session: Session,
    submission: Submission,
    now: datetime,
    *,
    target_days: int,
    show_identity: bool,
    policy: Policy | None = None,
) -> LedgerOut:
    """The time box, hours, extensions, payment and timeline of a submission's invitation."""
    invitation = submission.invitation
    timed = timebox_service.is_timed(invitation)
    measured = None
    if timed and invitation.started_at is not None:
        box = timebox_service.terms_of(invitation, policy).time_box
        measured = hours_worked(invitation.started_at, submission.created_at, box)
    late_by = None
    if submission.late and invitation.deadline_at is not None:
        late_by = max(0, int((submission.created_at - invitation.deadline_at).total_seconds()))
    # A payment needs a started clock and an extension a grant: skip the queries otherwise.
    payment = payment_for_invitation(session, invitation.id) if invitation.started_at else None
    extended = bool(invitation.extension_minutes or invitation.window_extension_minutes)
    extensions = timebox_service.extensions_of(session, invitation.id) if extended else []
    return LedgerOut(
        invitation_id=invitation.id,
        timebox=timebox_out(invitation, now, policy),
        late=submission.late,
        late_by_seconds=late_by,
        hours=HoursOut(
            measured=measured,
            billed=payment.hours if payment else None,
            reported=submission.reported_hours,
        ),
        extensions=[extension_out(e) for e in extensions],
        payment=payment_out(payment, show_identity=show_identity) if payment else None,
        timeline=timeline_out(
            timeline_of_loaded(session, invitation), now, target_days=target_days
        ),
    )


def process_out(session: Session, overview: ProcessOverview) -> ProcessOut:
    ids = [a.invitation_id for a in overview.at_risk]
    invitations = {
        inv.id: inv for inv in session.scalars(select(Invitation).where(Invitation.id.in_(ids)))
    }
    flagged = []
    for item in overview.at_risk:
        inv = invitations.get(item.invitation_id)
        if inv is None:
            continue
        flagged.append(
            AtRiskOut(
                invitation_id=inv.id,
                candidate=candidate_label(inv),
                assignment=inv.assignment_name,
                level=item.risk.level.value,
                message=item.risk.message,
                elapsed_seconds=item.risk.elapsed.total_seconds(),
                projected_seconds=item.risk.projected.total_seconds()
                if item.risk.projected is not None
                else None,
                waiting_for=item.risk.waiting_for.value,
            )
        )
    return ProcessOut(
        target_days=overview.target // timedelta(days=1),
        medians=[
            StepMedianOut(step=step.value, median_seconds=m.median.total_seconds(), count=m.count)
            for step, m in sorted(overview.medians.items(), key=lambda kv: list(Step).index(kv[0]))
        ],
        at_risk=flagged,
        flagged=overview.flagged,
        open_candidates=overview.open_candidates,
    )
