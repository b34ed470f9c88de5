"""Queries on reviewers and tokens."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harness.accounts.models import ApiToken, Reviewer

__all__ = ["ReviewerRepository"]


class ReviewerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, reviewer_id: int) -> Reviewer | None:
        return self.session.get(Reviewer, reviewer_id)

    def by_email(self, email: str) -> Reviewer | None:
        return self.session.scalar(select(Reviewer).where(Reviewer.email == email.strip().lower()))

    def all(self) -> Sequence[Reviewer]:
        return self.session.scalars(select(Reviewer).order_by(Reviewer.email)).all()

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Reviewer)) or 0

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return self.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        )

    def add(self, obj: Reviewer | ApiToken) -> None:
        self.session.add(obj)
