"""Reviewer accounts and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from harness.db.base import Base, UTCDateTime, utcnow

__all__ = ["ApiToken", "Reviewer", "ReviewerSession", "Role"]


class Role(StrEnum):
    """What an account may do. Who may call which route is stated once, in ``api.deps``
    (``require``); the access-matrix test checks every route for every role."""

    admin = "admin"
    """Everything: reviewing, payroll, the audit log, managing reviewers."""
    reviewer = "reviewer"
    """Reads reports, invites candidates on the assignment's pay terms, grants extensions,
    records notes and decisions. No payroll."""
    payroll = "payroll"
    """Pays candidates: the payments ledger (approve, mark paid, export) and pay terms beyond
    an assignment's defaults. Sees candidates' names (to pay them), not their reports."""


class Reviewer(Base):
    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Lower-cased login name."""
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    """argon2id hash; never the password."""
    role: Mapped[str] = mapped_column(String(20), default=Role.reviewer.value)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="reviewer")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}


class ApiToken(Base):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("reviewers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """Hex SHA-256 of the token (tokens are 256 random bits, so a slow hash adds nothing)."""
    prefix: Mapped[str] = mapped_column(String(16))
    """First characters of the token, so a reviewer can tell their tokens apart."""
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reviewer: Mapped[Reviewer] = relationship(back_populates="tokens")


class ReviewerSession(Base):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored, so the
    table cannot be replayed. Ended by sign-out, "sign out everywhere", a password change,
    idle time or its absolute lifetime; replaced (rotated) when the account's role changes."""

    __tablename__ = "reviewer_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("reviewers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    """The account's role when the session was issued; a different role now means rotate."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """Absolute end, however active the session is."""
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(20))
    """``sign_out``, ``everywhere``, ``password``, ``rotated``, ``deactivated``."""
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
