"""API shapes that gather several domains for reviewers: an invitation with its time box and
payment, a submission with its ledger, the dashboard with process speed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from harness.payments.schemas import PaymentOut
from harness.process_speed.schemas import ProcessOut, TimelineOut
from harness.submissions.schemas import DashboardOut, SubmissionDetail
from harness.timeboxes.schemas import ExtensionOut, TimeBoxOut

__all__ = [
    "DashboardWithProcess",
    "HoursOut",
    "InvitationCreated",
    "InvitationDetail",
    "InvitationOut",
    "LedgerOut",
    "NewLink",
    "SubmissionWithLedger",
]


class InvitationOut(BaseModel):
    id: int
    assignment: str
    assignment_version: str
    candidate: str
    """The candidate's name, or ``Candidate #<id>`` while review is anonymous."""
    email: str | None
    """Null while review is anonymous."""
    created_at: datetime
    revoked: bool
    submissions: int
    decision: str | None
    """Latest decision: ``advance``, ``reject`` or ``hold``; null before one."""
    timebox: TimeBoxOut | None = None
    """The clock, deadline and terms; null for an invitation made without a time box."""
    payment_status: str | None = None
    """``owed``, ``approved`` or ``paid`` once something is owed."""


class NewLink(BaseModel):
    """A fresh link for an invitation; the previous one no longer opens anything."""

    id: int
    candidate: str
    """The name, or ``Candidate #<id>`` under anonymous review."""
    link: str
    """Shown once: only its hash is kept."""


class InvitationCreated(InvitationOut):
    link: str
    """The candidate's link. Shown once: only a hash of its token is stored."""
    token: str


class InvitationDetail(InvitationOut):
    """One invitation with its extensions, payment and timeline."""

    extensions: list[ExtensionOut]
    payment: PaymentOut | None
    timeline: TimelineOut
    submission_ids: list[int]
    """Its uploads, oldest first."""


class HoursOut(BaseModel):
    measured: Decimal | None
    """From the clock's start to this upload, capped by the time box."""
    billed: Decimal | None
    """The hours on the payment (start to the latest upload, capped)."""
    reported: Decimal | None
    """What the candidate said they spent, on this upload."""


class LedgerOut(BaseModel):
    """The time box and money of the submission's invitation."""

    invitation_id: int
    timebox: TimeBoxOut | None
    """Null for an invitation made without a time box."""
    late: bool
    late_by_seconds: int | None
    """How long after the deadline this upload arrived."""
    hours: HoursOut
    extensions: list[ExtensionOut]
    payment: PaymentOut | None
    timeline: TimelineOut


class SubmissionWithLedger(SubmissionDetail):
    ledger: LedgerOut
    """The time box of the candidate's invitation: clock, deadline, extensions (with their
    reasons), hours measured and reported, the payment, and the process timeline."""


class DashboardWithProcess(DashboardOut):
    process: ProcessOut
    """Median time per step of the hiring process, and candidates heading past the target."""
