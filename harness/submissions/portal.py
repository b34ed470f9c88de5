"""What the candidate portal reads: the task page, its JSON twin, and the status of an upload.

Candidates authenticate by the token of their link (``invitation_for_token``); scores are shown
only when the assignment's ``policy.show_scores_to_candidate`` allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from harness.assignments.loader import Assignment, load_assignment
from harness.assignments.spec import AssignmentSpec
from harness.db.engine import Database
from harness.errors import NotFound
from harness.invitations.models import Invitation
from harness.invitations.service import invitation_for_token, note_first_view
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import SubmissionRepository
from harness.submissions.schemas import CandidateHome, CandidateSubmission
from harness.submissions.service import candidate_view, versions_of
from harness.timeboxes.schemas import TimeBoxOut
from harness.timeboxes.service import timebox_out

__all__ = [
    "StatusPage",
    "TaskPage",
    "candidate_home",
    "candidate_status",
    "status_page",
    "task_page",
    "task_page_for_link",
]


def _shows_scores(settings: Settings, assignment_name: str) -> bool:
    try:
        return load_assignment(assignment_name, settings).spec.policy.show_scores_to_candidate
    except Exception:
        return False


def _view(session: Session, sub: Submission, show_scores: bool) -> CandidateSubmission:
    """One upload as its candidate sees it, with the reasons of its current report's failed
    stages (the report is read only for a graded upload)."""
    report = (
        SubmissionRepository(session).current_report(sub.id)
        if sub.status == SubmissionStatus.graded.value
        else None
    )
    return candidate_view(sub, show_scores=show_scores, report=report)


def candidate_home(
    session: Session, settings: Settings, invitation: Invitation, now: datetime
) -> CandidateHome:
    """The assignment, the candidate's uploads (oldest first) and the clock."""
    assignment = load_assignment(invitation.assignment_name, settings)
    show = assignment.spec.policy.show_scores_to_candidate
    return CandidateHome(
        assignment=assignment.spec.name,
        title=assignment.spec.title,
        max_upload_mb=settings.max_upload_mb,
        submissions=[_view(session, s, show) for s in versions_of(session, invitation.id)],
        timebox=timebox_out(invitation, now, assignment.spec.policy),
    )


def candidate_status(
    session: Session, settings: Settings, invitation: Invitation, submission_id: int
) -> CandidateSubmission:
    """One of the candidate's uploads; another invitation's is "not found", like a bad id."""
    sub = SubmissionRepository(session).get_for_invitation(invitation.id, submission_id)
    if sub is None:
        raise NotFound("no such submission for this link")
    return _view(session, sub, _shows_scores(settings, invitation.assignment_name))


@dataclass(frozen=True)
class TaskPage:
    """What the task page shows."""

    invitation: Invitation
    assignment: Assignment
    versions: list[CandidateSubmission]
    """The candidate's uploads, newest first."""
    box: TimeBoxOut | None
    """The clock; ``None`` for an invitation without a time box."""

    @property
    def spec(self) -> AssignmentSpec:
        return self.assignment.spec


def task_page(
    session: Session,
    settings: Settings,
    invitation: Invitation,
    now: datetime,
    *,
    db: Database | None = None,
) -> TaskPage:
    """The task page's content. With ``db``, a first view is noted (the milestone is written in
    its own transaction: the page itself only reads)."""
    if db is not None and invitation.first_viewed_at is None:
        with db.session(write=True) as w:
            note_first_view(w, invitation.id)
    assignment = load_assignment(invitation.assignment_name, settings)
    show = assignment.spec.policy.show_scores_to_candidate
    versions = versions_of(session, invitation.id)
    return TaskPage(
        invitation=invitation,
        assignment=assignment,
        versions=[_view(session, s, show) for s in reversed(versions)],
        box=timebox_out(invitation, now, assignment.spec.policy),
    )


def task_page_for_link(db: Database, settings: Settings, token: str, now: datetime) -> TaskPage:
    """``task_page`` for the candidate behind ``token``, from a fresh read (after a refused
    form post, whose own transaction rolled back)."""
    with db.session() as session:
        return task_page(session, settings, invitation_for_token(session, token), now)


@dataclass(frozen=True)
class StatusPage:
    """What the status page of one upload shows."""

    sub: CandidateSubmission
    spec: AssignmentSpec
    late_by_seconds: int | None
    deadline_at: datetime | None


def status_page(
    session: Session, settings: Settings, invitation: Invitation, submission_id: int
) -> StatusPage:
    row = SubmissionRepository(session).get_for_invitation(invitation.id, submission_id)
    if row is None:
        raise NotFound("no such submission for this link")
    spec = load_assignment(invitation.assignment_name, settings).spec
    late_by = None
    if row.late and invitation.deadline_at is not None:
        late_by = max(0, int((row.created_at - invitation.deadline_at).total_seconds()))
    return StatusPage(
        sub=_view(session, row, spec.policy.show_scores_to_candidate),
        spec=spec,
        late_by_seconds=late_by,
        deadline_at=invitation.deadline_at,
    )
