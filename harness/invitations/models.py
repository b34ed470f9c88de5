"""Candidates, invitations, and the decisions recorded on them.

An invitation is one candidate's seat at one assignment: the secret link, the clock, the deadline
and the pay terms. The time-box columns are nullable (an invitation without them is untimed) and
are read and written through ``harness.invitations.terms``, which turns them into the ledger's
values and back, so ``deadline_at`` always matches the start, terms and extensions.

A decision belongs to the invitation (the candidate advances or not), not to one upload; the
submission the reviewer was looking at is kept beside it. Submissions point at their invitation;
the invitation does not list them (``harness.submissions.repository`` queries them), so this
package needs nothing from the submissions above it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from harness.accounts.models import Reviewer
from harness.db.base import Base, DecimalText, UTCDateTime, utcnow

__all__ = ["Candidate", "Decision", "DecisionOutcome", "Invitation"]


class Candidate(Base):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)
    """Lower-cased; not unique across candidates on purpose (people share inboxes, rarely)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invitations: Mapped[list[Invitation]] = relationship(back_populates="candidate")


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    assignment_name: Mapped[str] = mapped_column(String(64), index=True)
    assignment_version: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """Hex SHA-256 of the candidate link's token; the token itself is only in the link."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    anonymous_review: Mapped[bool] = mapped_column(default=True)
    """Hide the candidate's name and email from reviewers until a decision is recorded."""
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """A revoked link opens nothing."""
    selected_submission_id: Mapped[int | None] = mapped_column(Integer)
    """The version a reviewer picked to count; null means the latest counts. (No foreign key:
    invitations and submissions would reference each other, which PostgreSQL cannot create in
    one pass; the service checks the id belongs to this invitation.)"""

    # --- The paid time box (issue 5). All nullable: an invitation without them is untimed. ---
    window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The candidate must start before this."""
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the clock started (Start pressed, or first kit download by policy)."""
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Uploads after this are late (accepted and marked, or refused, by the assignment policy)."""
    time_box_hours: Mapped[Decimal | None] = mapped_column(DecimalText())
    grace_minutes: Mapped[int | None] = mapped_column(Integer)
    extension_minutes: Mapped[int] = mapped_column(Integer, default=0)
    """Total extension granted; each grant is also an audit event with its reason."""
    extension_reason: Mapped[str | None] = mapped_column(Text)
    pay_kind: Mapped[str | None] = mapped_column(String(10))
    """``hourly`` or ``flat``."""
    pay_currency: Mapped[str | None] = mapped_column(String(3))
    pay_hourly_rate: Mapped[Decimal | None] = mapped_column(DecimalText())
    pay_cap_hours: Mapped[Decimal | None] = mapped_column(DecimalText())
    pay_flat_fee: Mapped[Decimal | None] = mapped_column(DecimalText())
    first_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kit_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # --- Added by the ledger (revision 0002_ledger). ---
    late_policy: Mapped[str | None] = mapped_column(String(10))
    """``accept`` or ``refuse``, copied from the assignment at invitation time (null: ask the
    assignment, for invitations made before this column existed)."""
    clock_start: Mapped[str | None] = mapped_column(String(10))
    """``button`` or ``download``, copied from the assignment like ``late_policy``."""
    window_extension_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Extensions granted before the clock started: more time to start. ``window_ends_at``
    keeps the original end; ``extension_minutes`` counts only what was granted after the start."""
    no_submission_pay: Mapped[str | None] = mapped_column(String(10))
    """What is owed when the time box closes with nothing submitted: ``nothing`` (null),
    ``fixed`` or ``full``."""
    no_submission_amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    """The amount for ``fixed``, in ``pay_currency``."""
    time_zone: Mapped[str | None] = mapped_column(String(64))
    """The candidate's IANA time zone, as their browser reported it when they started."""
    first_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When a reviewer first opened one of this candidate's reports."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    """When the sweep found the time box closed (deadline passed, or the window expired unused)
    and applied the no-submission pay policy. An extension that reopens it clears this."""

    candidate: Mapped[Candidate] = relationship(back_populates="invitations", lazy="joined")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="invitation", order_by="Decision.created_at"
    )

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class DecisionOutcome(StrEnum):
    advance = "advance"
    reject = "reject"
    hold = "hold"


class Decision(Base):
    """A reviewer's structured decision on a candidate's invitation. The latest one stands."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    """The submission the reviewer was looking at."""
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="decisions")
    reviewer: Mapped[Reviewer] = relationship(lazy="joined")
