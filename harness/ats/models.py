"""Integrations with applicant tracking systems, the tests they sent, and callback attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from harness.db.base import Base, UTCDateTime, utcnow

__all__ = ["AtsAssessment", "AtsCallbackAttempt", "AtsErrorReport", "AtsIntegration"]


class AtsIntegration(Base):
    """One ATS account allowed to call the harness, with its own API key.

    Only the key's SHA-256 is stored for checking it; the key itself is derived from the
    server's secret key and ``key_salt`` (``harness.ats.keys``), so the harness can present it
    again when it calls the ATS back, and a copy of the database alone does not reveal it.
    """

    __tablename__ = "ats_integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    """``greenhouse`` (the adapter that speaks to it)."""
    name: Mapped[str] = mapped_column(String(200))
    """The admin's label, e.g. ``Greenhouse (Acme Corp)``."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_salt: Mapped[str] = mapped_column(String(64))
    key_prefix: Mapped[str] = mapped_column(String(16))
    """The key's first characters, so admins can tell keys apart."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """A revoked key is refused on every call, and its callbacks stop."""
    revoked_by: Mapped[str | None] = mapped_column(String(320))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AtsAssessment(Base):
    """A test an ATS sent: the invitation it created and how to tell the ATS it is done."""

    __tablename__ = "ats_assessments"
    __table_args__ = (
        UniqueConstraint("integration_id", "request_key", name="uq_ats_assessments_request"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("ats_integrations.id"), index=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    """The id the ATS knows the test by (Greenhouse's ``partner_interview_id``): random, so it
    reveals nothing about other candidates."""
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    test_id: Mapped[str] = mapped_column(String(64))
    """The assignment the ATS chose (``partner_test_id``)."""
    request_key: Mapped[str] = mapped_column(String(64))
    """SHA-256 of what makes a send unique (test, candidate address, callback URL): a repeated
    send returns the same test instead of inviting twice."""
    callback_url: Mapped[str | None] = mapped_column(Text)
    """Where to tell the ATS the test is complete (Greenhouse's ``url``)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    callback_state: Mapped[str] = mapped_column(String(16), default="none")
    """``none`` (nothing to tell yet), ``pending`` (due at ``callback_due_at``), ``delivered``,
    ``failed`` (gave up after the last back-off; the ATS still polls) or ``revoked``."""
    callback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    callback_failures: Mapped[int] = mapped_column(Integer, default=0)
    """Failed attempts since the last completion (the back-off step)."""
    notified_submission_id: Mapped[int | None] = mapped_column(Integer)
    """The upload the latest callback announced (no foreign key: it goes with the candidate)."""


class AtsCallbackAttempt(Base):
    """Every attempt to deliver a completion callback, successful or not."""

    __tablename__ = "ats_callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("ats_assessments.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    """1, 2, 3, ... over the life of the test (every completion adds attempts)."""
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    """The ATS's HTTP status; null when no answer came (refused, timed out)."""
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the next attempt is due after a failure; null after a success or the last try."""


class AtsErrorReport(Base):
    """A malformed-response report an ATS sent (Greenhouse's ``response_error``). The
    candidate's address the ATS includes is not kept."""

    __tablename__ = "ats_error_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("ats_integrations.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    api_call: Mapped[str] = mapped_column(String(64))
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    public_id: Mapped[str | None] = mapped_column(String(40), index=True)
    """The test it is about, when the ATS said."""
