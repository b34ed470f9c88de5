"""Reading and making the anonymous figures erased candidates leave behind.

The dashboard (``harness.submissions.service.dashboard``), the score distribution, the team's
process medians (``harness.process_speed``) and the survey summary (``harness.feedback``) add
these to the live rows, so erasing a candidate does not change a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harness.ledger.process import Milestone, Timeline
from harness.privacy.models import AnonymousCandidate, AnonymousSubmission

__all__ = [
    "ANCHOR",
    "count_erased",
    "milestone_offsets",
    "month_of",
    "scores",
    "submission_figures",
    "survey_figures",
    "timelines",
]

ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)
"""The made-up invitation time anonymous timelines are rebuilt from (durations are exact)."""


def month_of(at: datetime) -> str:
    """``YYYY-MM``: the only date an anonymous row keeps."""
    return at.strftime("%Y-%m")


def milestone_offsets(timeline: Timeline) -> dict[str, float]:
    """Seconds from the invitation to each milestone reached (what an anonymous row keeps)."""
    out: dict[str, float] = {}
    for milestone in Milestone:
        at = timeline.at(milestone)
        if milestone is not Milestone.invited and at is not None:
            out[milestone.value] = (at - timeline.invited_at).total_seconds()
    return out


def _timeline(offsets: dict[str, Any]) -> Timeline:
    def at(milestone: Milestone) -> datetime | None:
        value = offsets.get(milestone.value)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        return ANCHOR + timedelta(seconds=float(value))

    return Timeline(
        invited_at=ANCHOR,
        started_at=at(Milestone.started),
        submitted_at=at(Milestone.submitted),
        graded_at=at(Milestone.graded),
        first_reviewed_at=at(Milestone.first_reviewed),
        decided_at=at(Milestone.decided),
    )


def timelines(session: Session) -> list[Timeline]:
    """Erased candidates' timelines, rebuilt on a made-up date with their exact durations."""
    rows = session.scalars(select(AnonymousCandidate.milestones)).all()
    return [_timeline(row or {}) for row in rows]


def submission_figures(session: Session) -> Sequence[Any]:
    """``(status, seconds_to_graded, seconds_to_decision)`` of every erased upload."""
    return session.execute(
        select(
            AnonymousSubmission.status,
            AnonymousSubmission.seconds_to_graded,
            AnonymousSubmission.seconds_to_decision,
        )
    ).all()


def scores(session: Session, assignment: str) -> list[float]:
    """Overall scores of an assignment's erased uploads (for the score distribution)."""
    rows = session.scalars(
        select(AnonymousSubmission.overall_score).where(
            AnonymousSubmission.assignment_name == assignment,
            AnonymousSubmission.overall_score.is_not(None),
        )
    ).all()
    return [float(s) for s in rows if s is not None]


def survey_figures(session: Session, assignment: str | None = None) -> list[dict[str, Any]]:
    """The survey numbers erased candidates left (``hours``, ``clarity``, ``fairness``)."""
    query = select(AnonymousCandidate.assignment_name, AnonymousCandidate.survey)
    if assignment is not None:
        query = query.where(AnonymousCandidate.assignment_name == assignment)
    return [{"assignment": name, **survey} for name, survey in session.execute(query) if survey]


def count_erased(session: Session) -> tuple[int, int]:
    """``(candidates, uploads)`` erased so far, whose figures still count."""
    candidates = session.scalar(select(func.count()).select_from(AnonymousCandidate)) or 0
    uploads = session.scalar(select(func.count()).select_from(AnonymousSubmission)) or 0
    return candidates, uploads
