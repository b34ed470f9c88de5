"""API shapes of the time box, extensions, payments and process speed.

Money and hours are ``Decimal`` and travel as exact strings in JSON (``"337.50"``), never as
floats. Every time is UTC (ISO 8601 with ``Z`` or ``+00:00``); pages show them in the viewer's
zone, the API leaves that to its client.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AtRiskOut",
    "BulkCreatedOut",
    "BulkErrorOut",
    "BulkInviteOut",
    "ExtensionCreate",
    "ExtensionOut",
    "HoursOut",
    "LedgerOut",
    "MilestoneOut",
    "PaymentOut",
    "PaymentPaid",
    "PaymentsOut",
    "ProcessOut",
    "StartIn",
    "StepMedianOut",
    "TimeBoxOut",
    "TimelineOut",
    "TotalOut",
]


class TimeBoxOut(BaseModel):
    """Where one invitation's time box stands."""

    phase: str
    """``not_started``, ``running``, ``in_grace``, ``over`` or ``expired``."""
    remaining_seconds: int
    """Whole seconds until ``phase_ends_at`` (0 once over or expired)."""
    phase_ends_at: datetime | None
    """End of the window to start, of the time box, or the deadline; null once over."""
    now: datetime
    """The server's time when this was computed (clients count down from it)."""
    invited_at: datetime
    window_ends_at: datetime
    """The last moment to start, extensions granted before the start included."""
    started_at: datetime | None
    work_ends_at: datetime | None
    """End of the time box proper; grace follows."""
    deadline_at: datetime | None
    """The last on-time instant (time box + grace, capped by the window, plus extensions)."""
    time_box_hours: Decimal
    grace_minutes: int
    late_policy: str
    """``accept`` (late uploads are kept and marked late) or ``refuse``."""
    clock_start: str
    """``button`` or ``download`` (the first starter-kit download also starts the clock)."""
    extension_minutes: int
    """Granted after the start: the deadline moved by this much."""
    window_extension_minutes: int
    """Granted before the start: more time to start."""
    capped_by_window: bool
    """The window's end cut the time box short (a late start)."""
    pay: str | None
    """The pay terms in words, e.g. ``USD 50.00 per hour, at most 4 hours (USD 200.00)``."""


class StartIn(BaseModel):
    """Optional body of the start call."""

    model_config = ConfigDict(extra="forbid")
    time_zone: str | None = Field(default=None, max_length=64, examples=["Europe/Berlin"])
    """The candidate's IANA time zone, used for the times in their reminder e-mails."""


class ExtensionCreate(BaseModel):
    """Grant more time: to start, before the clock runs; to finish, after."""

    model_config = ConfigDict(extra="forbid")
    minutes: int = Field(ge=1, le=14 * 24 * 60, examples=[120])
    reason: str = Field(min_length=1, max_length=1000, examples=["power cut at the candidate's"])
    """Shown on the report and kept in the audit log."""


class ExtensionOut(BaseModel):
    id: int
    minutes: int
    reason: str
    before_start: bool
    """Granted before the clock started: it moved the end of the window to start."""
    granted_by: str
    granted_at: datetime
    deadline_before: datetime | None
    deadline_after: datetime | None
    window_ends_after: datetime


class PaymentOut(BaseModel):
    """The one payment of an invitation."""

    id: int
    invitation_id: int
    candidate: str
    """The name, or ``Candidate #<invitation id>`` while review is anonymous (admins, who run
    payroll, always see the name)."""
    email: str | None
    assignment: str
    status: str
    """``owed``, ``approved`` or ``paid``."""
    basis: str
    """``submission`` or ``no_submission`` (the policy when the time box closed empty)."""
    amount: Decimal
    """Exact, at the currency's minor unit."""
    currency: str
    hours: Decimal | None
    """Hours billed: from the clock's start to the latest upload, capped by the time box."""
    submission_id: int | None
    owed_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    paid_on: date | None
    reference: str | None


class PaymentPaid(BaseModel):
    """Mark an approved payment paid."""

    model_config = ConfigDict(extra="forbid")
    paid_on: date = Field(examples=["2026-11-30"])
    """The payroll date."""
    reference: str = Field(min_length=1, max_length=200, examples=["payroll-2026-11"])
    """Payroll run or transfer reference."""


class TotalOut(BaseModel):
    key: str
    """The month (``2026-11``), the assignment, or the currency."""
    currency: str
    amount: Decimal
    count: int


class PaymentsOut(BaseModel):
    items: list[PaymentOut]
    totals_by_month: list[TotalOut]
    """Per UTC month the amounts became owed, and currency."""
    totals_by_assignment: list[TotalOut]
    totals_by_currency: list[TotalOut]


class HoursOut(BaseModel):
    measured: Decimal | None
    """From the clock's start to this upload, capped by the time box."""
    billed: Decimal | None
    """The hours on the payment (start to the latest upload, capped)."""
    reported: Decimal | None
    """What the candidate said they spent, on this upload."""


class MilestoneOut(BaseModel):
    milestone: str
    """``invited``, ``started``, ``submitted``, ``graded``, ``first_reviewed``, ``decided``."""
    at: datetime | None


class TimelineOut(BaseModel):
    milestones: list[MilestoneOut]
    steps: dict[str, float]
    """Seconds each completed step took (``start``, ``work``, ``grading``, ``review``,
    ``decision``, ``total``)."""
    waiting_for: str | None
    """The next milestone, or null once decided."""
    risk: str | None
    """``overdue``, ``projected_late`` or ``nearing_target`` when flagged."""
    risk_message: str | None


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


class StepMedianOut(BaseModel):
    step: str
    median_seconds: float
    count: int
    """How many candidates completed the step."""


class AtRiskOut(BaseModel):
    invitation_id: int
    candidate: str
    assignment: str
    level: str
    """``overdue``, ``projected_late`` or ``nearing_target``."""
    message: str
    elapsed_seconds: float
    projected_seconds: float | None
    waiting_for: str


class ProcessOut(BaseModel):
    target_days: int
    medians: list[StepMedianOut]
    at_risk: list[AtRiskOut]
    """Most urgent first (at most 50)."""
    flagged: int
    open_candidates: int


class BulkCreatedOut(BaseModel):
    line: int
    id: int
    name: str
    email: str
    assignment: str
    link: str
    """The candidate's link, shown once."""


class BulkErrorOut(BaseModel):
    line: int
    """Line of the CSV (the header is line 1)."""
    email: str
    message: str


class BulkInviteOut(BaseModel):
    created: list[BulkCreatedOut]
    errors: list[BulkErrorOut]
