"""Whose data an erasure or export is about: a candidate by address, or some invitations."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.service import normalise_email
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Candidate, Invitation
from harness.privacy.holders import Subject
from harness.submissions.models import Submission

__all__ = ["subject_for_email", "subject_for_invitations"]


def _submissions_of(session: Session, invitation_ids: set[int]) -> frozenset[int]:
    if not invitation_ids:
        return frozenset()
    rows = session.scalars(
        select(Submission.id).where(Submission.invitation_id.in_(invitation_ids))
    )
    return frozenset(rows)


def subject_for_email(session: Session, email: str) -> Subject:
    """Every candidate record with this address, with all their invitations and uploads."""
    try:
        address = normalise_email(email)
    except HarnessError:
        raise HarnessError(f"{email!r} is not an e-mail address", status_code=422) from None
    candidate_ids = set(session.scalars(select(Candidate.id).where(Candidate.email == address)))
    if not candidate_ids:
        raise NotFound("no candidate has that e-mail address (already erased, or never invited)")
    invitation_ids = set(
        session.scalars(select(Invitation.id).where(Invitation.candidate_id.in_(candidate_ids)))
    )
    return Subject(
        invitation_ids=frozenset(invitation_ids),
        submission_ids=_submissions_of(session, invitation_ids),
        candidate_ids=frozenset(candidate_ids),
    )


def subject_for_invitations(session: Session, invitation_ids: Iterable[int]) -> Subject:
    """These invitations and their uploads; their candidates too when no other invitation of
    theirs is left."""
    ids = set(invitation_ids)
    rows = session.execute(
        select(Invitation.id, Invitation.candidate_id).where(Invitation.id.in_(ids or [-1]))
    ).all()
    ids = {row[0] for row in rows}
    candidates = {row[1] for row in rows}
    others = set(
        session.scalars(
            select(Invitation.candidate_id).where(
                Invitation.candidate_id.in_(candidates or [-1]), Invitation.id.not_in(ids or [-1])
            )
        )
    )
    return Subject(
        invitation_ids=frozenset(ids),
        submission_ids=_submissions_of(session, ids),
        candidate_ids=frozenset(candidates - others),
    )
