"""Queries on candidates and invitations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.invitations.models import Candidate, Invitation

__all__ = ["InvitationRepository"]


class InvitationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, invitation_id: int) -> Invitation | None:
        return self.session.get(Invitation, invitation_id)

    def by_token_hash(self, token_hash: str) -> Invitation | None:
        return self.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash))

    def list(
        self, *, assignment: str | None = None, limit: int = 100, offset: int = 0
    ) -> Sequence[Invitation]:
        query = select(Invitation).order_by(Invitation.id.desc()).limit(limit).offset(offset)
        if assignment:
            query = query.where(Invitation.assignment_name == assignment)
        return self.session.scalars(query).all()

    def candidate_by_email(self, email: str) -> Candidate | None:
        return self.session.scalar(
            select(Candidate).where(Candidate.email == email).order_by(Candidate.id)
        )

    def add(self, obj: Candidate | Invitation) -> None:
        self.session.add(obj)
