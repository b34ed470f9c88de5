"""The one-minute candidate survey: time really spent, clarity of the task, fairness.

It opens once the candidate has uploaded something. Answers are summarised per assignment for
the hiring team (erased candidates' numbers included, never their comments).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.assignments.loader import list_assignments
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.feedback.models import SurveyResponse
from harness.invitations.models import Invitation
from harness.invitations.service import invitation_for_token
from harness.privacy import anonymous
from harness.settings import Settings
from harness.submissions.repository import SubmissionRepository

__all__ = [
    "MAX_SURVEY_COMMENT",
    "SurveyState",
    "SurveySummary",
    "answer_for_link",
    "answer_survey",
    "state_for_link",
    "survey_state",
    "survey_summaries",
]

MAX_SURVEY_COMMENT = 2_000
MAX_HOURS = Decimal(100)


class SurveyInvalid(HarnessError):
    status_code = 422


@dataclass(frozen=True)
class SurveyState:
    """Whether the candidate can answer, and what they answered."""

    open: bool
    answer: SurveyResponse | None


def survey_state(session: Session, invitation: Invitation) -> SurveyState:
    uploaded = SubmissionRepository(session).latest_id(invitation.id) is not None
    answer = session.scalar(
        select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id)
    )
    return SurveyState(open=uploaded, answer=answer)


def _hours(raw: str) -> Decimal:
    try:
        hours = Decimal(raw.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise SurveyInvalid("give the hours you spent as a number, e.g. 4.5") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise SurveyInvalid(f"the hours you spent must be more than 0 and at most {MAX_HOURS}")
    return hours.quantize(Decimal("0.01"))


def _rating(raw: str, what: str) -> int:
    try:
        value = int(raw.strip())
    except (ValueError, AttributeError):
        raise SurveyInvalid(f"rate the {what} from 1 to 5") from None
    if not 1 <= value <= 5:
        raise SurveyInvalid(f"rate the {what} from 1 to 5")
    return value


def answer_survey(
    session: Session, invitation: Invitation, form: Mapping[str, str], now: datetime
) -> SurveyResponse:
    """Record (or replace) the candidate's answers. Every field is checked before anything is
    written; a refusal says which field and why."""
    if not survey_state(session, invitation).open:
        raise HarnessError("the survey opens after your first upload", status_code=409)
    hours = _hours(form.get("hours", ""))
    clarity = _rating(form.get("clarity", ""), "clarity of the task")
    fairness = _rating(form.get("fairness", ""), "fairness of the task")
    comment = form.get("comment", "").strip()
    if len(comment) > MAX_SURVEY_COMMENT:
        raise SurveyInvalid(f"the comment can be at most {MAX_SURVEY_COMMENT} characters")
    row = survey_state(session, invitation).answer
    if row is None:
        row = SurveyResponse(invitation_id=invitation.id, created_at=now)
        session.add(row)
    row.hours_spent, row.clarity, row.fairness = hours, clarity, fairness
    row.comment, row.updated_at = comment, now
    session.flush()
    return row


def answer_for_link(
    db: Database, token: str, form: Mapping[str, str], now: datetime
) -> SurveyResponse:
    """``answer_survey`` for the candidate behind ``token``, in its own write transaction."""
    with db.session(write=True) as session:
        return answer_survey(session, invitation_for_token(session, token), form, now)


def state_for_link(db: Database, token: str) -> SurveyState:
    """``survey_state`` from a fresh read (after a refused answer rolled back)."""
    with db.session() as session:
        return survey_state(session, invitation_for_token(session, token))


class SurveySummary(BaseModel):
    """One assignment's survey answers, for the hiring team."""

    assignment: str
    title: str
    time_box_hours: Decimal | None
    """The hours the task asks for, to read the median against."""
    responses: int = 0
    erased: int = 0
    """Answers of erased candidates, counted in the figures (their comments are gone)."""
    median_hours: float | None = None
    mean_clarity: float | None = None
    mean_fairness: float | None = None
    clarity_counts: list[int] = Field(default_factory=lambda: [0] * 5)
    """How many answered 1, 2, 3, 4 and 5."""
    fairness_counts: list[int] = Field(default_factory=lambda: [0] * 5)
    comments: list[str] = Field(default_factory=list)
    """The latest comments (at most 20), without names."""


def _fill(summary: SurveySummary, answers: list[tuple[float, int, int]]) -> None:
    summary.responses = len(answers)
    if not answers:
        return
    summary.median_hours = statistics.median(a[0] for a in answers)
    summary.mean_clarity = round(statistics.fmean(a[1] for a in answers), 2)
    summary.mean_fairness = round(statistics.fmean(a[2] for a in answers), 2)
    for _, clarity, fairness in answers:
        summary.clarity_counts[clarity - 1] += 1
        summary.fairness_counts[fairness - 1] += 1


def _erased_answers(session: Session, name: str) -> list[tuple[float, int, int]]:
    out = []
    for row in anonymous.survey_figures(session, name):
        try:
            out.append((float(row["hours"]), int(row["clarity"]), int(row["fairness"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def survey_summaries(session: Session, settings: Settings) -> list[SurveySummary]:
    """Per assignment: answers, median hours against the time box, mean ratings, comments."""
    specs = {a.spec.name: a.spec for a in list_assignments(settings)}
    rows = session.execute(
        select(SurveyResponse, Invitation.assignment_name)
        .join(Invitation, Invitation.id == SurveyResponse.invitation_id)
        .order_by(SurveyResponse.updated_at.desc())
    ).all()
    names = sorted({name for _, name in rows} | set(specs))
    out = []
    for name in names:
        spec = specs.get(name)
        summary = SurveySummary(
            assignment=name,
            title=spec.title if spec else name,
            time_box_hours=spec.time_box_hours if spec else None,
        )
        live = [r for r, n in rows if n == name]
        erased = _erased_answers(session, name)
        answers = [(float(r.hours_spent), r.clarity, r.fairness) for r in live] + erased
        _fill(summary, answers)
        summary.erased = len(erased)
        summary.comments = [r.comment for r in live if r.comment][:20]
        if summary.responses or spec is not None:
            out.append(summary)
    return out
