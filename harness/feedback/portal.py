"""What the candidate portal adds for feedback and the survey (links on the task page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from harness.assignments.loader import load_assignment
from harness.db.engine import Database
from harness.feedback.service import not_ready_reason
from harness.feedback.survey import survey_state
from harness.invitations.models import Invitation
from harness.settings import Settings
from harness.submissions import portal
from harness.submissions.portal import TaskPage

__all__ = ["CandidateExtras", "TaskWithExtras", "task_page"]


@dataclass(frozen=True)
class CandidateExtras:
    feedback_ready: bool
    """The assignment gives feedback and a final decision stands."""
    survey_open: bool
    """The candidate has uploaded, so the survey can be answered."""
    survey_answered: bool


@dataclass(frozen=True)
class TaskWithExtras:
    page: TaskPage
    extras: CandidateExtras


def task_page(
    session: Session, settings: Settings, invitation: Invitation, now: datetime, *, db: Database
) -> TaskWithExtras:
    """The task page (``harness.submissions.portal.task_page``) with the feedback and survey
    links it shows when they apply."""
    page = portal.task_page(session, settings, invitation, now, db=db)
    assignment = load_assignment(invitation.assignment_name, settings)
    survey = survey_state(session, invitation)
    return TaskWithExtras(
        page,
        CandidateExtras(
            feedback_ready=not_ready_reason(assignment, invitation) is None,
            survey_open=survey.open,
            survey_answered=survey.answer is not None,
        ),
    )
