"""The candidate data of invitations: who the candidate is, their seats, and the decisions."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from harness.invitations.models import Candidate, Decision, Invitation
from harness.privacy.anonymous import month_of
from harness.privacy.holders import (
    Drafts,
    ExportPart,
    FileSink,
    Holder,
    Subject,
    affected,
    row_dict,
)
from harness.settings import Settings

__all__ = ["DECISIONS", "INVITATIONS", "DecisionData", "InvitationData"]


def _invitations(session: Session, ids: Collection[int]) -> list[Invitation]:
    if not ids:
        return []
    return list(
        session.scalars(select(Invitation).where(Invitation.id.in_(ids)).order_by(Invitation.id))
    )


def _decisions(session: Session, invitation_ids: Collection[int]) -> list[Decision]:
    if not invitation_ids:
        return []
    return list(
        session.scalars(
            select(Decision).where(Decision.invitation_id.in_(invitation_ids)).order_by(Decision.id)
        )
    )


class DecisionData(Holder):
    """Decisions recorded on the subject's invitations (erased before the uploads they name)."""

    name = "decisions"
    tables = frozenset({"decisions"})

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        return ExportPart(
            records={
                "decisions": [
                    {
                        "invitation_id": d.invitation_id,
                        "outcome": d.outcome,
                        "reason": d.reason,
                        "created_at": d.created_at.isoformat(),
                    }
                    for d in _decisions(session, subject.invitation_ids)
                ]
            }
        )

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        for decision in _decisions(session, subject.invitation_ids):  # oldest first: last wins
            drafts.candidate(decision.invitation_id).outcome = decision.outcome

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        if not subject.invitation_ids:
            return 0
        return affected(
            session, delete(Decision).where(Decision.invitation_id.in_(subject.invitation_ids))
        )


class InvitationData(Holder):
    """The candidate's name and address, and their invitations (erased last)."""

    name = "invitations"
    tables = frozenset({"invitations", "candidates"})

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        invitations = _invitations(session, subject.invitation_ids)
        candidate_ids = {inv.candidate_id for inv in invitations} | set(subject.candidate_ids)
        candidates = session.scalars(
            select(Candidate).where(Candidate.id.in_(candidate_ids or [-1])).order_by(Candidate.id)
        )
        return ExportPart(
            records={
                "candidates": [row_dict(c) for c in candidates],
                # The token hash is a credential, and the link itself was never stored.
                "invitations": [row_dict(i, leave_out=("token_hash",)) for i in invitations],
            }
        )

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        for inv in _invitations(session, subject.invitation_ids):
            draft = drafts.candidate(inv.id)
            draft.assignment_name = inv.assignment_name
            draft.month = month_of(inv.created_at)

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        touched = 0
        if subject.invitation_ids:
            touched += affected(
                session, delete(Invitation).where(Invitation.id.in_(subject.invitation_ids))
            )
        if subject.candidate_ids:
            touched += affected(
                session, delete(Candidate).where(Candidate.id.in_(subject.candidate_ids))
            )
        return int(touched)


DECISIONS = DecisionData()
INVITATIONS = InvitationData()
