"""Fair queue order: a burst from one candidate or one assignment does not starve the others."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from harness.db.base import utcnow
from harness.db.engine import Database
from harness.jobs.fairness import QueuedJob, fair_claimable, fair_order
from harness.jobs.lifecycle import claim_next
from harness.settings import Settings
from harness.submissions.models import Submission
from tests.db.factories import make_invitation, make_spec, make_submission
from tests.jobs.helpers import RecordingGrader, runtime

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _job(i: int, assignment: str, invitation: int) -> QueuedJob:
    return QueuedJob(i, assignment, invitation, T0 + timedelta(seconds=i))


def test_a_burst_from_one_candidate_does_not_delay_the_others() -> None:
    burst = [_job(i, "x", 1) for i in range(40)]
    late = [_job(100, "x", 2), _job(101, "x", 3)]
    order = fair_order(burst + late)
    # Each candidate gets one turn per round: the two late uploads come right after A's first.
    assert order[:3] == [0, 100, 101]
    assert order[3:] == list(range(1, 40))


def test_assignments_take_turns_and_busy_work_counts() -> None:
    jobs = [_job(i, "x", 1 + i % 5) for i in range(20)] + [_job(50, "y", 9), _job(51, "y", 9)]
    order = fair_order(jobs)
    assert order.index(50) == 1 and order.index(51) == 3  # y every other turn, not after x's 20
    # Candidate 1 already has a job running: the others go first.
    busy = fair_order(
        [_job(1, "x", 1), _job(2, "x", 2)], busy_assignments=Counter(), busy_invitations=Counter({1: 1})
    )
    assert busy == [2, 1]
    # An assignment already holding two slots waits behind one holding none.
    held = fair_order([_job(1, "x", 1), _job(2, "y", 2)], busy_assignments=Counter({"x": 2}))
    assert held == [2, 1]


def test_order_is_oldest_first_without_contention() -> None:
    jobs = [_job(i, f"a{i}", i) for i in range(6)]
    assert fair_order(reversed(jobs)) == list(range(6))


def _upload(db: Database, settings: Settings, name: str, n: int, assignment: str = "support-tickets") -> list[int]:
    ids = []
    with db.session(write=True) as s:
        inv, _ = make_invitation(s, name=name, email=f"{name}@example.com", spec=make_spec(assignment))
        for i in range(n):
            ids.append(make_submission(s, settings, inv, files={"submission.toml": f"v = {i}\n"}).id)
    return ids


def test_claims_follow_the_fair_order_in_the_database(db: Database, settings: Settings) -> None:
    burst = _upload(db, settings, "burst", 6)
    other = _upload(db, settings, "other", 1)
    team = _upload(db, settings, "team", 1, assignment="another-team")
    # Uploads happened in that order; make the timestamps strictly increasing.
    with db.session(write=True) as s:
        for i, sid in enumerate([*burst, *other, *team]):
            s.execute(update(Submission).where(Submission.id == sid).values(created_at=utcnow() + timedelta(seconds=i)))
    rt = runtime(settings, db, RecordingGrader())
    claimed = []
    while (claim := claim_next(rt, "w")) is not None:
        claimed.append(claim.submission_id)  # held: each claimed job stays busy, as in a pool
    assert claimed[:3] == [burst[0], team[0], other[0]]
    assert claimed[3:] == burst[1:]


def test_handed_out_jobs_are_skipped_and_count_as_busy(db: Database, settings: Settings) -> None:
    a = _upload(db, settings, "a", 3)
    b = _upload(db, settings, "b", 1)
    with db.session() as s:
        assert fair_claimable(s, utcnow(), limit=10)[:2] == [a[0], b[0]]
        # a[0] is already with a worker: b goes next, then a's others.
        assert fair_claimable(s, utcnow(), limit=10, handed_out=[a[0]]) == [b[0], a[1], a[2]]
        assert fair_claimable(s, utcnow(), limit=1, handed_out=[a[0]]) == [b[0]]
        assert fair_claimable(s, utcnow(), limit=0) == []
