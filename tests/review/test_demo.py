"""`make run`'s demo shows the review flow: two demo reviewers score the demo submissions blind
once they are graded; the notebook-only pair disagrees and waits for a third reviewer."""

from __future__ import annotations

from sqlalchemy import select

from harness.db.base import utcnow
from harness.db.engine import Database
from harness.demo import DEMO_REVIEWERS, demo_reviews, load_demo
from harness.reports.store import store_report
from harness.review.models import Review, Scorecard
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from tests.db.factories import make_report


def test_demo_reviewers_score_the_demo_submissions(db: Database, settings: Settings) -> None:
    info = load_demo(settings, db)
    assert len(info.queued) == 4  # three demo solutions and the candidate who asks to be erased
    assert demo_reviews(settings, db) == 0  # nothing graded yet: nothing to score
    with db.session(write=True) as s:
        for sid in info.queued:
            sub = s.get(Submission, sid)
            assert sub is not None
            sub.status = SubmissionStatus.graded.value
            store_report(s, sub, make_report(score=70.0), artifacts_dir=settings.artifacts_dir)
            sub.graded_at = utcnow()
    assert demo_reviews(settings, db) == 8
    assert demo_reviews(settings, db) == 0  # idempotent
    with db.session() as s:
        by_email = {
            sub.invitation.candidate.email: s.scalar(
                select(Review.status).where(Review.submission_id == sub.id)
            )
            for sub in s.scalars(select(Submission))
        }
        cards = list(s.scalars(select(Scorecard).where(Scorecard.status == "submitted")))
    assert by_email == {
        "baseline@example.com": "complete",
        "reference@example.com": "complete",
        "notebook-only@example.com": "reconciling",
        "erase-me@example.com": "complete",
    }
    assert {c.reviewer.email for c in cards} == {e for e, _ in DEMO_REVIEWERS}
