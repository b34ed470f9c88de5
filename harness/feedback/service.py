"""Feedback for candidates: when it is given, what it says, and the comments reviewers share.

Feedback is given only when the assignment's ``policy.candidate_feedback`` allows it and a
final decision (advance or reject) stands; ``hold`` is not final. It is built from the report
of the upload that counts (``harness.feedback.build``) and the comments reviewers shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.heldout import heldout_ids
from harness.assignments.loader import Assignment, load_assignment
from harness.audit import service as audit
from harness.errors import HarnessError, NotFound
from harness.feedback.build import Feedback, build_feedback
from harness.feedback.models import CandidateComment
from harness.feedback.scorecards import ScorecardComment, scorecard_comments, viewer_sight
from harness.invitations.models import DecisionOutcome, Invitation
from harness.reports.schema import Report
from harness.settings import Settings
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import counting_submission_id, get_submission

__all__ = [
    "FINAL",
    "CommentView",
    "FeedbackPage",
    "FeedbackReview",
    "add_comment",
    "candidate_feedback",
    "feedback_review",
    "not_ready_reason",
    "withdraw_comment",
]

FINAL = frozenset({DecisionOutcome.advance.value, DecisionOutcome.reject.value})
MAX_COMMENT = 5_000


def not_ready_reason(assignment: Assignment, invitation: Invitation) -> str | None:
    """Why the candidate has no feedback (yet); None when they may read it."""
    if not assignment.spec.policy.candidate_feedback:
        return "This assignment does not include written feedback."
    decisions = invitation.decisions
    if not decisions or decisions[-1].outcome not in FINAL:
        return "Your feedback will appear here once the hiring team has made its decision."
    return None


def _shared_comments(session: Session, invitation_id: int) -> list[str]:
    rows = session.scalars(
        select(CandidateComment.body)
        .where(CandidateComment.invitation_id == invitation_id, CandidateComment.shared.is_(True))
        .order_by(CandidateComment.id)
    )
    return list(rows)


def _feedback(session: Session, assignment: Assignment, invitation: Invitation) -> Feedback | None:
    counting = counting_submission_id(session, invitation)
    record = SubmissionRepository(session).current_report(counting) if counting else None
    if record is None:
        return None
    return build_feedback(
        Report.model_validate(record.body),
        title=assignment.spec.title,
        show_scores=assignment.spec.policy.show_scores_to_candidate,
        comments=_shared_comments(session, invitation.id),
        heldout_ids=heldout_ids(assignment),
    )


@dataclass(frozen=True)
class FeedbackPage:
    """The candidate's feedback page: the feedback, or why there is none yet."""

    title: str
    feedback: Feedback | None
    reason: str | None


def candidate_feedback(
    session: Session, settings: Settings, invitation: Invitation
) -> FeedbackPage:
    """What the candidate behind ``invitation`` may read."""
    assignment = load_assignment(invitation.assignment_name, settings)
    reason = not_ready_reason(assignment, invitation)
    feedback = _feedback(session, assignment, invitation) if reason is None else None
    if reason is None and feedback is None:
        reason = "There is no graded upload to give feedback on."
    return FeedbackPage(assignment.spec.title, feedback, reason)


@dataclass(frozen=True)
class CommentView:
    id: int
    body: str
    author: str
    shared: bool
    created_at: str


@dataclass(frozen=True)
class FeedbackReview:
    """The reviewers' page of a submission's candidate feedback: the comments, whether the
    candidate can read it now, and a preview of what they read. A reviewer still scoring blind
    sees only their own comments (``hidden`` says why)."""

    submission_id: int
    invitation_id: int
    comments: list[CommentView]
    not_ready: str | None
    preview: Feedback | None
    scorecards: list[ScorecardComment] = field(default_factory=list)
    """Scorecard comments that may be shared with the candidate."""
    hidden: str = ""


def feedback_review(
    session: Session, settings: Settings, submission_id: int, viewer: Reviewer
) -> FeedbackReview:
    sub = get_submission(session, submission_id)
    invitation = sub.invitation
    assignment = load_assignment(invitation.assignment_name, settings)
    view = viewer_sight(session, sub.id, viewer)
    query = (
        select(CandidateComment, Reviewer.email)
        .join(Reviewer, Reviewer.id == CandidateComment.reviewer_id)
        .where(CandidateComment.invitation_id == invitation.id)
        .order_by(CandidateComment.id)
    )
    if not view.sees_others:
        query = query.where(CandidateComment.reviewer_id == viewer.id)
    rows = session.execute(query).all()
    return FeedbackReview(
        submission_id=sub.id,
        invitation_id=invitation.id,
        comments=[
            CommentView(c.id, c.body, email, c.shared, c.created_at.isoformat())
            for c, email in rows
        ],
        not_ready=not_ready_reason(assignment, invitation),
        preview=_feedback(session, assignment, invitation) if view.sees_others else None,
        scorecards=scorecard_comments(session, sub.id, viewer),
        hidden=view.reason,
    )


def add_comment(
    session: Session, submission_id: int, actor: Reviewer, body: str
) -> CandidateComment:
    """A comment for the candidate, on the submission's invitation (shown once decided)."""
    sub = get_submission(session, submission_id)
    body = body.strip()
    if not body or len(body) > MAX_COMMENT:
        raise HarnessError(f"a comment must be 1 to {MAX_COMMENT} characters", status_code=422)
    comment = CandidateComment(
        invitation_id=sub.invitation_id, submission_id=sub.id, reviewer_id=actor.id, body=body
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        "feedback.comment",
        actor=actor,
        object_type="submission",
        object_id=sub.id,
        comment=comment.id,
    )
    return comment


def withdraw_comment(
    session: Session, submission_id: int, comment_id: int, actor: Reviewer
) -> CandidateComment:
    """Take a comment off the candidate's page (it stays for the team)."""
    sub = get_submission(session, submission_id)
    comment = session.get(CandidateComment, comment_id)
    if comment is None or comment.invitation_id != sub.invitation_id:
        raise NotFound(f"submission {submission_id} has no comment {comment_id}")
    comment.shared = False
    audit.record(
        session,
        "feedback.withdraw",
        actor=actor,
        object_type="submission",
        object_id=sub.id,
        comment=comment.id,
    )
    return comment
