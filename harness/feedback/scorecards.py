"""Reviewers' scorecard comments chosen for sharing with the candidate.

A scorecard's comments are written for the team. Once the review is visible to a reviewer (blind
review: their own scorecard is in, or the review has settled), the scorecard's author or an admin
may share its comment with the candidate: it becomes a candidate comment, shown on the
candidate's feedback page once a final decision stands, and can be withdrawn like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.errors import HarnessError, NotFound
from harness.feedback.models import CandidateComment
from harness.review.models import Scorecard, SeatStatus
from harness.review.repository import ReviewRepository
from harness.review.visibility import Sight, sight
from harness.submissions.service import get_submission

__all__ = ["ScorecardComment", "scorecard_comments", "share_scorecard_comment", "viewer_sight"]


@dataclass(frozen=True)
class ScorecardComment:
    scorecard_id: int
    author: str
    body: str
    shared: bool
    """Its text is already among the candidate's comments."""
    may_share: bool
    """The viewer wrote it, or is an admin."""


def viewer_sight(session: Session, submission_id: int, viewer: Reviewer) -> Sight:
    repo = ReviewRepository(session)
    return sight(repo.review_of(submission_id), list(repo.seats(submission_id)), viewer.id)


def _shared_bodies(session: Session, invitation_id: int) -> set[str]:
    return set(
        session.scalars(
            select(CandidateComment.body).where(
                CandidateComment.invitation_id == invitation_id,
                CandidateComment.shared.is_(True),
            )
        )
    )


def scorecard_comments(
    session: Session, submission_id: int, viewer: Reviewer
) -> list[ScorecardComment]:
    """Submitted scorecards' comments the viewer may read (none while they review blind)."""
    sub = get_submission(session, submission_id)
    if not viewer_sight(session, sub.id, viewer).sees_others:
        return []
    shared = _shared_bodies(session, sub.invitation_id)
    return [
        ScorecardComment(
            card.id,
            card.reviewer.email,
            card.comments.strip(),
            card.comments.strip() in shared,
            card.reviewer_id == viewer.id or viewer.is_admin,
        )
        for card in ReviewRepository(session).seats(sub.id)
        if card.status == SeatStatus.submitted.value and card.comments.strip()
    ]


def share_scorecard_comment(
    session: Session, submission_id: int, scorecard_id: int, actor: Reviewer
) -> CandidateComment:
    """Share a submitted scorecard's comment with the candidate (its author or an admin)."""
    sub = get_submission(session, submission_id)
    card = session.get(Scorecard, scorecard_id)
    if card is None or card.submission_id != sub.id:
        raise NotFound(f"submission {submission_id} has no scorecard {scorecard_id}")
    if card.status != SeatStatus.submitted.value or not card.comments.strip():
        raise HarnessError("only a submitted scorecard's comment can be shared", status_code=409)
    if not viewer_sight(session, sub.id, actor).sees_others:
        raise HarnessError("the review is still blind for you", status_code=403)
    if card.reviewer_id != actor.id and not actor.is_admin:
        raise HarnessError("only its author or an admin can share a scorecard", status_code=403)
    body = card.comments.strip()
    if body in _shared_bodies(session, sub.invitation_id):
        raise HarnessError("this comment is already shared with the candidate", status_code=409)
    comment = CandidateComment(
        invitation_id=sub.invitation_id, submission_id=sub.id, reviewer_id=card.reviewer_id,
        body=body,
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        "feedback.share_scorecard",
        actor=actor,
        object_type="submission",
        object_id=sub.id,
        scorecard=card.id,
        comment=comment.id,
    )
    return comment
