"""The API-side feeder on a real Redis and PostgreSQL: it hands out only as many jobs as live,
healthy workers have free slots, in fair order, re-offers jobs a broker lost, and only one
feeder runs at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from harness.db.base import utcnow
from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.jobs.celery_app import QUEUE
from harness.jobs.distributed import HANDED_OUT_KEY, CeleryDispatcher
from harness.jobs.runtime import GradingRuntime
from harness.jobs.worker_health import WorkerBeat, WorkerRegistry
from harness.settings import Environment, Mode, Settings
from harness.submissions.repository import SubmissionRepository
from tests.db.factories import make_invitation, make_spec, make_submission

pytestmark = pytest.mark.services


@pytest.fixture
def runtime(tmp_path: Path, database_url: str, broker_url: str) -> Iterator[GradingRuntime]:
    settings = Settings(
        environment=Environment.test, mode=Mode.distributed, data_dir=tmp_path,
        database_url=database_url, broker_url=broker_url, worker_token="t" * 32,
        secret_key="s" * 40, demo=False, workers=0,
    )
    upgrade_head(database_url)
    db = Database(database_url)
    yield GradingRuntime(settings=settings, db=db)
    db.dispose()


def _beat(name: str, slots: int, healthy: bool = True) -> WorkerBeat:
    now = datetime.now(UTC)
    return WorkerBeat(name=name, host="h", pid=1, slots=slots, healthy=healthy,
                      started_at=now, last_seen=now)


def _queued(runtime: GradingRuntime, candidate: str, n: int) -> list[int]:
    with runtime.db.session(write=True) as s:
        inv, _ = make_invitation(s, name=candidate, email=f"{candidate}@example.com", spec=make_spec())
        return [make_submission(s, runtime.settings, inv, files={"f": str(i)}).id for i in range(n)]


def _published(client: redis.Redis) -> list[int]:
    """Submission ids of the task messages waiting in the broker, oldest first."""
    raw = client.lrange(QUEUE, 0, -1)
    return [json.loads(json.loads(m)["headers"]["argsrepr"])[0] for m in reversed(raw)]


def test_hands_out_only_free_slots_in_fair_order(runtime: GradingRuntime) -> None:
    client = redis.Redis.from_url(runtime.settings.broker_url)
    dispatcher = CeleryDispatcher(runtime, redispatch_after_s=60)
    burst = _queued(runtime, "burst", 5)
    other = _queued(runtime, "other", 1)
    assert dispatcher.feed_once() == []  # no worker: the jobs wait in the database
    registry = WorkerRegistry(client)
    registry.beat(_beat("sick", 4, healthy=False))  # Docker down there: no capacity
    assert dispatcher.feed_once() == []
    registry.beat(_beat("w1", 2))
    assert dispatcher.feed_once() == [burst[0], other[0]]
    assert _published(client) == [burst[0], other[0]]
    assert dispatcher.feed_once() == []  # both slots have a job coming
    # w1 claims one and finishes it; the other is still in the broker: one slot free.
    with runtime.db.session(write=True) as s:
        repo = SubmissionRepository(s)
        claim = repo.claim(burst[0], "w1:11", utcnow())
        assert claim is not None
        repo.release(claim, status="graded")
    assert dispatcher.feed_once() == [burst[1]]
    # A job claimed and running counts against its worker's slots.
    with runtime.db.session(write=True) as s:
        SubmissionRepository(s).claim(other[0], "w1:12", utcnow())
    assert dispatcher.feed_once() == []
    (info,) = [w for w in dispatcher.worker_info() if w.name == "w1"]
    assert info.busy == 1 and info.running == [other[0]] and info.slots == 2
    client.close()


def test_jobs_a_broker_lost_are_offered_again(runtime: GradingRuntime) -> None:
    client = redis.Redis.from_url(runtime.settings.broker_url)
    WorkerRegistry(client).beat(_beat("w1", 1))
    (sid,) = _queued(runtime, "ada", 1)
    dispatcher = CeleryDispatcher(runtime, redispatch_after_s=3600)
    assert dispatcher.feed_once() == [sid]
    client.delete(QUEUE)  # the message is lost, but the dispatcher remembers handing it out
    assert dispatcher.feed_once() == []
    dispatcher.redispatch_after_s = 0  # nobody claimed it in time: offer it again
    assert dispatcher.feed_once() == [sid]
    assert _published(client) == [sid]
    client.flushall()  # Redis restarted empty: no memory of anything
    WorkerRegistry(client).beat(_beat("w1", 1))
    dispatcher.redispatch_after_s = 3600
    assert dispatcher.feed_once() == [sid]
    assert client.hexists(HANDED_OUT_KEY, str(sid))
    client.close()


def test_one_feeder_at_a_time(runtime: GradingRuntime) -> None:
    client = redis.Redis.from_url(runtime.settings.broker_url)
    WorkerRegistry(client).beat(_beat("w1", 4))
    ids = _queued(runtime, "ada", 3)
    first, second = CeleryDispatcher(runtime), CeleryDispatcher(runtime)
    assert first.feed_once() == ids[:3]
    more = _queued(runtime, "bob", 1)
    assert second.feed_once() == []  # first holds the lease
    first.stop()  # releases it
    assert second.feed_once() == more
    client.close()


def test_a_job_claimed_and_put_back_between_passes_frees_its_slot(runtime: GradingRuntime) -> None:
    client = redis.Redis.from_url(runtime.settings.broker_url)
    WorkerRegistry(client).beat(_beat("w1", 1))
    first, second = _queued(runtime, "ada", 1)[0], _queued(runtime, "bob", 1)[0]
    dispatcher = CeleryDispatcher(runtime, redispatch_after_s=3600)
    assert dispatcher.feed_once() == [first]
    # Claimed, then given back at once (Docker trouble) with a back-off: still "queued", but it
    # is no longer in the broker, so the slot is free for the next job.
    with runtime.db.session(write=True) as s:
        repo = SubmissionRepository(s)
        claim = repo.claim(first, "w1:1", utcnow())
        assert claim is not None
        repo.release(claim, status="queued", not_before=utcnow() + timedelta(seconds=300))
    assert dispatcher.feed_once() == [second]
    client.close()
