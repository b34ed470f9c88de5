"""API shapes of invitations: the invite form (a thin parse layer over ``InvitationTerms``) and
the result of a bulk invitation. What reviewers read of an invitation is in
``harness.reviewing.schemas``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from harness.invitations.service import InvitationTerms
from harness.validation import MAX_EMAIL, MAX_NAME, email_address, person_name

__all__ = ["BulkCreatedOut", "BulkErrorOut", "BulkInviteOut", "InvitationCreate"]

# Bounded so no input can reach a decimal context's limits; the ledger checks the real rules.
Amount = Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=4)]
# The one validation layer (harness.validation): the API refuses what the form and the CSV do.
Email = Annotated[
    str,
    Field(min_length=3, max_length=MAX_EMAIL, json_schema_extra={"format": "email"}),
    AfterValidator(email_address),
]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(person_name)]


class InvitationCreate(BaseModel):
    """Invite one candidate to an assignment."""

    model_config = ConfigDict(extra="forbid")

    assignment: str = Field(pattern=r"^[a-z][a-z0-9-]{1,62}$", examples=["support-tickets"])
    """Name of the assignment."""
    name: Name
    """The candidate's name."""
    email: Email
    """The candidate's email (one plain address; checked with ``email-validator``)."""
    anonymous_review: bool = True
    """Hide name and email from reviewers until a decision is recorded."""
    time_box_hours: Annotated[Decimal, Field(gt=0, le=40, decimal_places=2)] | None = None
    """Override the assignment's time box (hours)."""
    grace_minutes: Annotated[int, Field(ge=0, le=24 * 60)] | None = None
    """Override the grace period after the time box (minutes)."""
    start_window_days: Annotated[int, Field(ge=1, le=90)] | None = None
    """Override the window to start (days from now)."""
    pay_kind: Literal["hourly", "flat"] | None = None
    """Override how the time is paid; another kind than the assignment's takes none of its amounts."""
    hourly_rate: Amount | None = None
    cap_hours: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None
    """Hours paid at most (hourly pay); unset: the time box."""
    flat_fee: Amount | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", examples=["EUR"])
    no_submission_pay: Literal["nothing", "fixed", "full"] | None = None
    """Owed when the time box closes with nothing submitted (only to a candidate who started):
    nothing (the default), a fixed amount, or the full amount of the terms."""
    no_submission_amount: Amount | None = None
    """The amount for ``fixed``."""
    notify: bool = True
    """Send the candidate the invitation e-mail (the log, without SMTP configured)."""

    def terms(self) -> InvitationTerms:
        return InvitationTerms(
            time_box_hours=self.time_box_hours,
            grace_minutes=self.grace_minutes,
            start_window_days=self.start_window_days,
            pay_kind=self.pay_kind,
            hourly_rate=self.hourly_rate,
            cap_hours=self.cap_hours,
            flat_fee=self.flat_fee,
            currency=self.currency,
            no_submission_pay=self.no_submission_pay,
            no_submission_amount=self.no_submission_amount,
        )


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
