"""Rows for review tests: graded submissions of the shipped support-tickets assignment (whose
``[review]`` table these tests exercise), reviewers, and ratings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer, Role
from harness.assignments.review_spec import ReviewSpec
from harness.review.seats import review_spec
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from tests.db.factories import make_invitation, make_report, make_reviewer, make_submission

__all__ = ["graded", "levels", "reviewers", "spec_of"]


def spec_of(settings: Settings) -> ReviewSpec:
    spec = review_spec(settings, "support-tickets")
    assert spec is not None, "the shipped support-tickets assignment has a [review] table"
    return spec


def graded(
    session: Session,
    settings: Settings,
    n: int = 0,
    *,
    score: float = 70.0,
    email: str | None = None,
) -> Submission:
    inv, _ = make_invitation(session, name=f"Cand {n}", email=email or f"cand{n}@example.com")
    return make_submission(
        session, settings, inv, status=SubmissionStatus.graded, report=make_report(score=score)
    )


def reviewers(session: Session, n: int, *, role: Role = Role.reviewer) -> list[Reviewer]:
    return [make_reviewer(session, f"r{i}-{role.value}@example.com", role=role) for i in range(n)]


def levels(spec: ReviewSpec, level: int, **overrides: int) -> dict[str, int]:
    """Every criterion at ``level``, except those named."""
    return {c.key: overrides.get(c.key, level) for c in spec.criteria}
