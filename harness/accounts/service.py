"""Reviewer accounts: create, authenticate by password or API token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from harness.accounts import sessions
from harness.accounts.models import ApiToken, Reviewer, Role
from harness.accounts.repository import ReviewerRepository
from harness.accounts.security import (
    hash_password,
    hash_token,
    needs_rehash,
    new_token,
    verify_password,
)
from harness.audit import service as audit
from harness.db.base import utcnow
from harness.errors import HarnessError
from harness.validation import email_address, person_name

__all__ = [
    "API_TOKEN_PREFIX",
    "AccountError",
    "authenticate",
    "create_reviewer",
    "create_token",
    "reviewer_for_token",
    "set_password",
    "set_role",
    "sign_in",
    "token_needs_touch",
    "touch_token",
]

API_TOKEN_PREFIX = "hrt"
MIN_PASSWORD = 10


class AccountError(HarnessError):
    status_code = 422


def normalise_email(email: str) -> str:
    """The address as stored (``harness.validation.email_address``: the one e-mail rule)."""
    return email_address(email)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")


def create_reviewer(
    session: Session,
    email: str,
    password: str,
    *,
    role: Role = Role.reviewer,
    name: str = "",
    actor: Reviewer | str | None = "cli",
) -> Reviewer:
    """A new reviewer. Refuses a taken email and passwords shorter than ten characters."""
    email = normalise_email(email)
    name = person_name(name) if name.strip() else ""
    _check_password(password)
    repo = ReviewerRepository(session)
    if repo.by_email(email) is not None:
        raise AccountError(f"a reviewer with email {email} already exists", status_code=409)
    reviewer = Reviewer(
        email=email, password_hash=hash_password(password), role=role.value, name=name
    )
    repo.add(reviewer)
    session.flush()
    audit.record(
        session,
        "reviewer.create",
        actor=actor,
        object_type="reviewer",
        object_id=reviewer.id,
        email=email,
        role=role.value,
    )
    return reviewer


def set_password(
    session: Session, reviewer: Reviewer, password: str, *, now: datetime | None = None
) -> None:
    """A new password; every session of the account ends (its API tokens stay)."""
    _check_password(password)
    reviewer.password_hash = hash_password(password)
    sessions.revoke_all(session, reviewer.id, now or utcnow(), reason="password")
    audit.record(
        session, "reviewer.password", actor="cli", object_type="reviewer", object_id=reviewer.id
    )


def set_role(
    session: Session, reviewer: Reviewer, role: Role, *, actor: Reviewer | str = "cli"
) -> None:
    """Change what the account may do. Its sessions rotate on their next request (new id, new
    role), so a session id copied before the change is worthless after it."""
    if reviewer.role == role.value:
        return
    before = reviewer.role
    reviewer.role = role.value
    audit.record(
        session,
        "reviewer.role",
        actor=actor,
        object_type="reviewer",
        object_id=reviewer.id,
        before=before,
        after=role.value,
    )


def authenticate(session: Session, email: str, password: str) -> Reviewer | None:
    """The reviewer with these credentials, or None. Takes as long for unknown emails."""
    reviewer = ReviewerRepository(session).by_email(email)
    ok = verify_password(reviewer.password_hash if reviewer else None, password)
    if reviewer is None or not ok or not reviewer.active:
        return None
    if needs_rehash(reviewer.password_hash):
        reviewer.password_hash = hash_password(password)
    reviewer.last_login_at = utcnow()
    return reviewer


def sign_in(session: Session, email: str, password: str, *, ip: str) -> Reviewer | None:
    """``authenticate``, with the attempt audited (a failed one under the address tried)."""
    reviewer = authenticate(session, email, password)
    if reviewer is None:
        audit.record(session, "login.failed", actor=email.strip().lower()[:320] or "unknown", ip=ip)
        return None
    audit.record(session, "login", actor=reviewer, ip=ip)
    return reviewer


def create_token(
    session: Session, reviewer: Reviewer, *, label: str = "", actor: Reviewer | str | None = "cli"
) -> str:
    """A new API token for ``reviewer``. Returned once; only its hash is stored."""
    token = new_token(API_TOKEN_PREFIX)
    row = ApiToken(
        reviewer_id=reviewer.id, token_hash=hash_token(token), prefix=token[:10], label=label
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "token.create",
        actor=actor,
        object_type="api_token",
        object_id=row.id,
        reviewer=reviewer.email,
        label=label,
    )
    return token


def reviewer_for_token(session: Session, token: str) -> Reviewer | None:
    """The active reviewer owning this API token, or None. Reads only (see ``touch_token``)."""
    if not token.startswith(API_TOKEN_PREFIX + "_") or len(token) > 200:
        return None
    row = ReviewerRepository(session).token_by_hash(hash_token(token))
    if row is None or not row.reviewer.active:
        return None
    return row.reviewer


def token_needs_touch(session: Session, token: str) -> bool:
    """Whether the token's ``last_used_at`` is more than a minute old (worth a write)."""
    row = ReviewerRepository(session).token_by_hash(hash_token(token))
    return row is not None and (
        row.last_used_at is None or (utcnow() - row.last_used_at).total_seconds() > 60
    )


def touch_token(session: Session, token: str) -> None:
    """Record that the token was used. Callers run it in its own short write transaction, so
    read-only requests never take SQLite's write lock."""
    row = ReviewerRepository(session).token_by_hash(hash_token(token))
    if row is not None:
        row.last_used_at = utcnow()
