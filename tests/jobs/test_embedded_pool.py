"""The embedded worker pool: parallel slots, no double grading, recovery after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from harness.db.base import utcnow
from harness.db.engine import Database
from harness.jobs.embedded import EmbeddedWorkerPool
from harness.settings import Settings
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.repository import SubmissionRepository
from tests.jobs.helpers import RecordingGrader, runtime
from tests.jobs.test_lifecycle import _queued

REPO = Path(__file__).resolve().parents[2]


def _wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _statuses(db: Database) -> dict[int, str]:
    with db.session() as s:
        return {sid: status for sid, status in s.execute(select(Submission.id, Submission.status))}


def test_pool_grades_everything_once_in_parallel(db: Database, settings: Settings) -> None:
    ids = _queued(db, settings, 12)
    grader = RecordingGrader(delay=0.1)
    pool = EmbeddedWorkerPool(runtime(settings, db, grader), 4, poll_s=0.05)
    pool.start()
    try:
        for sid in ids:
            pool.enqueue(sid)
        _wait(lambda: set(_statuses(db).values()) == {"graded"})
    finally:
        pool.stop(timeout=5)
    assert sum(grader.calls.values()) == 12 and set(grader.calls.values()) == {1}
    assert grader.overlaps == 0 and grader.max_parallel >= 2
    with db.session() as s:
        currents = s.scalars(
            select(ReportRecord.submission_id).where(ReportRecord.current.is_(True))
        ).all()
    assert sorted(currents) == sorted(ids)


def test_two_pools_on_one_database_never_grade_the_same_job(
    db: Database, settings: Settings
) -> None:
    ids = _queued(db, settings, 10)
    grader = RecordingGrader(delay=0.05)  # shared: counts calls across both pools
    pools = [
        EmbeddedWorkerPool(
            runtime(settings, Database(settings.resolved_database_url), grader), 3, poll_s=0.02
        )
        for _ in range(2)
    ]
    for p in pools:
        p.start()
    try:
        _wait(lambda: set(_statuses(db).values()) == {"graded"})
    finally:
        for p in pools:
            p.stop(timeout=5)
    assert set(grader.calls.values()) == {1} and len(grader.calls) == len(ids)


def test_restart_after_a_crash_picks_up_the_running_job(db: Database, settings: Settings) -> None:
    """A process dies (SIGKILL) mid-grade; the next start re-queues its job and grades it once."""
    (sid,) = _queued(db, settings)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.jobs.crashing_worker",
            str(settings.data_dir),
            settings.resolved_database_url,
        ],
        cwd=REPO,
        env=env,
    )
    try:
        _wait(lambda: _statuses(db)[sid] == "running", timeout=60)
        with db.session() as s:
            claimed_by = s.scalar(select(Submission.claimed_by).where(Submission.id == sid))
        assert claimed_by is not None and f":{proc.pid}:" in claimed_by
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    # The heartbeat is fresh (the process died a moment ago), so only the dead-pid check can
    # tell; a pool starting now must not wait for the heartbeat to go stale.
    grader = RecordingGrader()
    pool = EmbeddedWorkerPool(runtime(settings, db, grader, stale_after_s=3600), 1, poll_s=0.05)
    pool.start()
    try:
        _wait(lambda: _statuses(db)[sid] == "graded")
    finally:
        pool.stop(timeout=5)
    with db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.attempts == 2
        assert (
            len(s.scalars(select(ReportRecord).where(ReportRecord.submission_id == sid)).all()) == 1
        )


def test_watchdog_requeues_a_silent_worker_elsewhere(db: Database, settings: Settings) -> None:
    (sid,) = _queued(db, settings)
    with db.session(write=True) as s:  # claimed by a worker on another host that went silent
        assert SubmissionRepository(s).claim(sid, "other-host:123:grader-0", utcnow()) is not None
    grader = RecordingGrader()
    pool = EmbeddedWorkerPool(runtime(settings, db, grader, stale_after_s=1.0), 1, poll_s=0.05)
    pool.start()
    try:
        _wait(lambda: _statuses(db)[sid] == "graded", timeout=20)
    finally:
        pool.stop(timeout=5)
    assert sum(grader.calls.values()) == 1
