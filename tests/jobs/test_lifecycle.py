"""A job's life under a claim: claiming, progress, idempotence, retries, lost claims, webhook."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import select

from harness.db.base import utcnow
from harness.db.engine import Database
from harness.errors import InfrastructureError
from harness.jobs.lifecycle import Outcome, claim_next, recover_stale, run_claimed
from harness.jobs.webhook import make_webhook_callback, sign
from harness.settings import Settings
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import request_regrade
from tests.db.factories import make_invitation, make_reviewer, make_submission
from tests.jobs.helpers import RecordingGrader, grade_now, runtime


def _queued(db: Database, settings: Settings, n: int = 1) -> list[int]:
    ids = []
    with db.session(write=True) as s:
        for i in range(n):
            inv, _ = make_invitation(s, name=f"C{i}", email=f"c{i}@example.com")
            ids.append(
                make_submission(s, settings, inv, files={"submission.toml": f"n = {i}\n"}).id
            )
    return ids


def _reports(db: Database, sid: int) -> list[ReportRecord]:
    with db.session() as s:
        return list(
            s.scalars(
                select(ReportRecord)
                .where(ReportRecord.submission_id == sid)
                .order_by(ReportRecord.id)
            )
        )


def test_grades_records_progress_and_is_idempotent(db: Database, settings: Settings) -> None:
    (sid,) = _queued(db, settings)
    grader = RecordingGrader()
    rt = runtime(settings, db, grader)
    assert grade_now(rt, sid) == Outcome.graded
    assert grade_now(rt, sid) == Outcome.not_claimed  # already graded: nothing happens
    with db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "graded" and sub.overall_score == 70.0
        assert sub.stages["static"] == {"state": "finished", "verdict": "ok", "message": ""}
        assert sub.stages["train"]["state"] == "finished" and sub.claim_token is None
    assert len(_reports(db, sid)) == 1 and sum(grader.calls.values()) == 1

    with db.session(write=True) as s:
        rev = make_reviewer(s)
        sub = s.get(Submission, sid)
        assert sub is not None
        request_regrade(s, sub.id, rev)
    assert grade_now(rt, sid) == Outcome.graded
    reports = _reports(db, sid)
    assert [r.current for r in reports] == [False, True]


def test_infrastructure_error_requeues_with_backoff(db: Database, settings: Settings) -> None:
    (sid,) = _queued(db, settings)
    rt = runtime(
        settings, db, RecordingGrader(raises=InfrastructureError("Docker daemon is not answering"))
    )
    assert grade_now(rt, sid) == Outcome.retry
    with db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "queued" and sub.attempts == 1
        assert (
            "Docker daemon" in sub.message
            and sub.not_before is not None
            and sub.not_before > utcnow()
        )
    # The back-off holds: no worker takes it early.
    assert claim_next(rt, "w") is None
    assert _reports(db, sid) == []


def test_unexpected_errors_retry_then_record_an_error(db: Database, settings: Settings) -> None:
    (sid,) = _queued(db, settings)
    rt = runtime(
        settings, db, RecordingGrader(raises=ValueError("bug")), max_attempts=2, backoff_s=(0.0,)
    )
    assert grade_now(rt, sid) == Outcome.retry
    assert grade_now(rt, sid) == Outcome.error
    with db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "error" and "ValueError: bug" in sub.message


def test_lost_claim_never_overwrites(db: Database, settings: Settings) -> None:
    """A worker presumed dead comes back after another graded the job: its result is dropped."""
    (sid,) = _queued(db, settings)
    slow, fast = RecordingGrader(delay=1.0, score=10.0), RecordingGrader(score=90.0)
    rt_slow = runtime(settings, db, slow, heartbeat_s=60)
    claim = claim_next(rt_slow, "slow-worker")
    assert claim is not None
    result: list[Outcome] = []
    t = threading.Thread(target=lambda: result.append(run_claimed(rt_slow, claim)))
    t.start()
    assert slow.started.wait(5)
    with db.session(write=True) as s:  # the watchdog decides slow-worker is gone
        assert SubmissionRepository(s).requeue_stale(utcnow() + timedelta(seconds=1)) == [sid]
    assert (
        grade_now(runtime(settings, db, fast), sid, worker="fast-worker") == Outcome.graded
    )
    t.join(10)
    assert result == [Outcome.lost_claim]
    reports = _reports(db, sid)
    assert len(reports) == 1 and reports[0].current and reports[0].overall_score == 90.0


def test_recover_stale_only_takes_silent_jobs(db: Database, settings: Settings) -> None:
    a, b = _queued(db, settings, 2)
    rt = runtime(settings, db, RecordingGrader(), stale_after_s=60)
    with db.session(write=True) as s:
        repo = SubmissionRepository(s)
        repo.claim(a, "x", utcnow() - timedelta(seconds=600))
        repo.claim(b, "y", utcnow())
    assert recover_stale(rt) == [a]


def test_webhook_is_signed(db: Database, settings: Settings) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hooked = settings.model_copy(
            update={
                "webhook_url": f"http://127.0.0.1:{server.server_port}/hook",
                "webhook_secret": "s3cret",
            }
        )
        (sid,) = _queued(db, settings)
        rt = runtime(hooked, db, RecordingGrader())
        callback = make_webhook_callback(hooked, db)
        assert callback is not None
        rt.on_finished.append(callback)
        assert grade_now(rt, sid) == Outcome.graded
    finally:
        server.shutdown()
    headers, body = received[0]
    assert headers["X-Harness-Signature"] == sign("s3cret", body)
    payload = json.loads(body)
    assert payload["submission"]["id"] == sid and payload["submission"]["status"] == "graded"
