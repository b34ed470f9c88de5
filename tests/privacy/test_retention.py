"""Retention: archives, then reports, then the candidate, each at its day after the decision,
never a day early; the figures stay; left-over files are collected."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from harness.accounts.models import Reviewer
from harness.assignments.spec import Retention
from harness.invitations.models import Decision, Invitation
from harness.payments.models import PaymentRecord
from harness.privacy.models import AnonymousSubmission
from harness.retention.files import collect_leftovers
from harness.retention.sweep import retention_sweep
from harness.review.models import FindingFeedback
from harness.submissions.models import ReportRecord, Submission
from tests.api.fixtures import login
from tests.db.factories import make_assignment_dir
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401
from tests.privacy.scan import rows_holding
from tests.privacy.world import add_person, sha

POLICY = "archives_days = 10\nreports_days = 20\npersonal_days = 30"


def test_the_policy_refuses_keeping_parts_longer_than_the_person() -> None:
    assert Retention(archives_days=10, reports_days=20, personal_days=30).personal_days == 30
    assert Retention(archives_days=0, reports_days=0, personal_days=0).archives_days == 0
    with pytest.raises(ValidationError, match="reports_days must be 1 to personal_days"):
        Retention(archives_days=10, reports_days=40, personal_days=30)
    with pytest.raises(ValidationError, match="archives_days must be 1 to personal_days"):
        Retention(archives_days=0, reports_days=10, personal_days=30)  # "keep" outliving the person
    with pytest.raises(ValidationError):
        Retention(archives_days=-1, reports_days=10, personal_days=30)


def _decided_at(t: Clocked) -> datetime:
    """Decisions are stamped with the wall clock (not the app's), so the sweeps count from it."""
    with t.db.session() as s:
        at = s.scalar(select(func.max(Decision.created_at)))
    return at or t.clock.now()


def _sweep(t: Clocked, days: float, since: datetime | None = None) -> dict[str, object]:
    start = since or _decided_at(t)
    result = retention_sweep(t.db, t.settings, start + timedelta(days=days))
    return {"archives": result.archives, "reports": result.reports, "erased": len(result.erased),
            "blocked": result.blocked}


def _mark(t: Clocked, sid: int) -> int:
    """A reviewer's mark on a finding of the upload, with its copy of the finding."""
    with t.db.session(write=True) as s:
        report = s.scalars(select(ReportRecord).where(ReportRecord.submission_id == sid)).one()
        reviewer = s.scalars(select(Reviewer).where(Reviewer.email == "rev@example.com")).one()
        row = FindingFeedback(submission_id=sid, report_id=report.id, reviewer_id=reviewer.id,
                              grader="quality", rule="quality:E501", finding_index=0,
                              file="ADAQ-train.py", line=3, message="ADAQ-line too long",
                              verdict="wrong", reason="not here")
        s.add(row)
        s.flush()
        return row.id


def test_archives_then_reports_then_the_candidate_each_on_its_day(clocked: Clocked) -> None:
    t = clocked
    make_assignment_dir(t.settings.assignments_dir, retention=POLICY)
    ada = add_person(t, "Ada Quill", "ada.quill@example.com", tag="ADAQ", shared_upload=False, score=64)
    sid = ada.submission_ids[0]
    blob = t.settings.blobs_dir / sha(ada.archives[0])[:2] / sha(ada.archives[0])

    assert _sweep(t, 9.9) == {"archives": 0, "reports": 0, "erased": 0, "blocked": {}}
    assert blob.is_file()
    assert _sweep(t, 10) == {"archives": 1, "reports": 0, "erased": 0, "blocked": {}}
    assert not blob.exists()
    admin = t.fresh_client()
    login(admin, "admin@example.com")
    gone = admin.get(f"/submissions/{sid}/download")
    assert gone.status_code == 404 and "retention policy" in gone.text
    assert admin.get(f"/submissions/{sid}").status_code == 200  # the report still shows

    mark = _mark(t, sid)
    assert _sweep(t, 20)["reports"] == 1
    with t.db.session() as s:
        kept = s.get(FindingFeedback, mark)  # the copy of the finding goes with the findings
        assert kept is not None and (kept.message, kept.file, kept.line) == ("", None, None)
        assert (kept.rule, kept.verdict, kept.reason) == ("quality:E501", "wrong", "not here")
        record = s.scalars(select(ReportRecord).where(ReportRecord.submission_id == sid)).one()
        assert record.artifacts == {} and record.body["purged_on"]
        assert all("findings" not in g and "details" not in g for g in record.body["graders"])
        assert all("log_tail" not in st for st in record.body["stages"])
        assert record.overall_score == 64 and s.get(Submission, sid).overall_score == 64  # type: ignore[union-attr]
    assert not list(t.settings.artifacts_dir.rglob("*.html"))
    page = admin.get(f"/submissions/{sid}")
    assert page.status_code == 200 and "retention policy" in page.text
    assert _sweep(t, 20) == {"archives": 0, "reports": 0, "erased": 0, "blocked": {}}  # idempotent

    dashboard = t.client.get("/api/dashboard", headers=t.auth()).json()
    assert _sweep(t, 29.9)["erased"] == 0
    assert _sweep(t, 30)["erased"] == 1
    assert rows_holding(t.db, ada.needles) == []
    after = t.client.get("/api/dashboard", headers=t.auth()).json()
    for key in ("total", "decided", "median_to_graded_s", "median_to_decision_s"):
        assert after[key] == dashboard[key], key
    assert after["process"]["medians"] == dashboard["process"]["medians"]


def test_undecided_candidates_wait_and_revoked_or_empty_ones_count_from_then(clocked: Clocked) -> None:
    t = clocked
    make_assignment_dir(t.settings.assignments_dir, retention=POLICY)
    waiting = t.invite(name="Wai Ting", email="wait@example.com")
    t.start(waiting["token"])
    t.upload(waiting["token"])  # uploaded, never decided: kept, whatever the age
    revoked = t.invite(name="Rev Oked", email="revoked@example.com")
    empty = t.invite(name="Em Pty", email="empty@example.com")
    with t.db.session(write=True) as s:
        s.get(Invitation, revoked["id"]).revoked_at = t.clock.now()  # type: ignore[union-attr]
        s.get(Invitation, empty["id"]).closed_at = t.clock.now() + timedelta(days=5)  # type: ignore[union-attr]
    since = t.clock.now()
    assert _sweep(t, 29.9, since)["erased"] == 0
    assert _sweep(t, 30, since)["erased"] == 1  # the revoked one, 30 days after revocation
    assert rows_holding(t.db, ["revoked@example.com"]) == []
    assert rows_holding(t.db, ["empty@example.com"])  # closed 5 days later: 25 days so far
    assert _sweep(t, 35, since)["erased"] == 1
    assert rows_holding(t.db, ["empty@example.com"]) == []
    assert _sweep(t, 3000, since)["erased"] == 0
    assert rows_holding(t.db, ["wait@example.com"])


def test_an_erasure_that_must_wait_is_reported_not_raised(clocked: Clocked) -> None:
    t = clocked
    make_assignment_dir(t.settings.assignments_dir, retention=POLICY)
    ada = add_person(t, "Ada Quill", "ada.quill@example.com", tag="ADAQ", shared_upload=False, score=64)
    with t.db.session(write=True) as s:
        s.scalars(select(PaymentRecord)).one().status = "approved"
    result = retention_sweep(t.db, t.settings, _decided_at(t) + timedelta(days=31))
    assert result.erased == [] and list(result.blocked) == [ada.invitation_id]
    assert "approved" in result.blocked[ada.invitation_id]
    assert rows_holding(t.db, [ada.email])
    with t.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AnonymousSubmission)) == 0


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_left_over_files_are_collected_and_live_ones_kept(clocked: Clocked) -> None:
    t = clocked
    ada = add_person(t, "Ada Quill", "ada.quill@example.com", tag="ADAQ", shared_upload=False, score=64)
    live = t.settings.blobs_dir / sha(ada.archives[0])[:2] / sha(ada.archives[0])
    orphan = t.settings.blobs_dir / "ab" / ("ab" + "0" * 62)
    fresh = t.settings.blobs_dir / "cd" / ("cd" + "1" * 62)
    partial = t.settings.blobs_dir / "incoming" / "upload.part"
    run = t.settings.work_dir / "run-deadbeef-x"
    artifacts = t.settings.artifacts_dir / "999999"
    for path in (orphan, fresh, partial, run / "submission" / "train.py", artifacts / "1" / "n.html"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("left over")
    for path, age in ((orphan, 7200), (partial, 2 * 86400), (run, 3 * 86400), (artifacts, 7200), (live, 10**6)):
        _age(path, age)
    done = collect_leftovers(t.db, t.settings)
    assert done.files == 4
    assert not orphan.exists() and not partial.exists() and not run.exists() and not artifacts.exists()
    assert fresh.exists() and live.exists()  # too young to judge; still referenced
