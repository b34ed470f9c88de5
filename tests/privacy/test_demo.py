"""The demo's candidate who asks to be erased: scored, rejected and erased once graded, counted
on the dashboard and the calibration page after, and not brought back by the next start."""

from __future__ import annotations

from sqlalchemy import select

from harness.db.engine import Database
from harness.demo import ERASED_EMAIL, demo_reviews, erase_when_graded, load_demo
from harness.reports.store import store_report
from harness.review import calibration
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import dashboard
from tests.db.factories import make_report
from tests.privacy.scan import rows_holding


def _grade_all(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        for sub in s.scalars(select(Submission)):
            store_report(s, sub, make_report(score=60 + sub.id), artifacts_dir=settings.artifacts_dir)
            sub.status, sub.graded_at = SubmissionStatus.graded.value, sub.created_at


def test_the_demo_erases_one_candidate_and_keeps_counting_them(db: Database, settings: Settings) -> None:
    settings = settings.model_copy(update={"demo": True})
    info = load_demo(settings, db)
    assert info.erase_after_grading is not None and not info.erased
    hook = erase_when_graded(settings, db, info.erase_after_grading)
    hook(info.erase_after_grading, "graded")  # not graded yet: nothing happens
    assert rows_holding(db, [ERASED_EMAIL])
    _grade_all(db, settings)
    assert demo_reviews(settings, db) == 8  # two scorecards on each of the four uploads
    with db.session() as s:
        before = dashboard(s)
        agreement = calibration.agreement(s, settings, "support-tickets").model_dump()
    assert agreement["scorecards"] == 6  # the notebook-only pair disagrees: not settled yet
    assert rows_holding(db, ["Baseline works; thin evaluation."])
    hook(info.erase_after_grading - 1, "graded")  # another upload: nothing happens
    assert rows_holding(db, [ERASED_EMAIL])
    hook(info.erase_after_grading, "graded")
    assert rows_holding(db, [ERASED_EMAIL]) == []
    with db.session() as s:
        after = dashboard(s)
    assert after.erased == 1 and after.total == before.total
    assert after.median_to_graded_s == before.median_to_graded_s
    assert after.decided == before.decided + 1  # the demo rejected them before erasing
    calibration._cache.clear()
    with db.session() as s:
        kept = calibration.agreement(s, settings, "support-tickets").model_dump()
    assert {k: v for k, v in kept.items() if k != "largest_gaps"} == {
        k: v for k, v in agreement.items() if k != "largest_gaps"
    }  # their scorecards still count, as anonymous levels
    assert rows_holding(db, ["Baseline works; thin evaluation."]) == []
    again = load_demo(settings, db)
    assert again.erased and again.erase_after_grading is None
    assert rows_holding(db, [ERASED_EMAIL]) == []
