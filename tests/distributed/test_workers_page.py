"""Reviewers see the grading workers: ``GET /api/workers``, the ``/workers`` page, the dashboard tile."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from api.app import create_app
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.jobs.distributed import CeleryDispatcher
from harness.jobs.embedded import EmbeddedWorkerPool
from harness.jobs.runtime import GradingRuntime
from harness.jobs.worker_health import WorkerBeat, WorkerRegistry, redis_client
from harness.settings import Mode, Settings
from harness.submissions.repository import SubmissionRepository
from tests.api.fixtures import Env, env, login  # noqa: F401
from tests.db.factories import make_invitation, make_reviewer, make_submission
from tests.distributed.services import free_port
from tests.jobs.helpers import RecordingGrader, runtime


def test_embedded_mode_lists_its_own_pool(env: Env) -> None:  # noqa: F811
    client = env.fresh_client()
    login(client, env.reviewer_email)
    assert client.get("/api/workers").json() == []  # the test app does not grade (workers = 0)
    page = client.get("/workers")
    assert page.status_code == 200 and "does not grade" in page.text
    dashboard = client.get("/")
    assert 'data-testid="workers-tile"' in dashboard.text and "0 / 0" in dashboard.text
    pool = EmbeddedWorkerPool(runtime(env.settings, env.db, RecordingGrader()), 3)
    (info,) = pool.worker_info()
    assert info.mode == "embedded" and info.slots == 3 and info.busy == 0 and not info.healthy


@pytest.mark.services
def test_distributed_mode_lists_live_workers_with_their_jobs(
    settings: Settings, tmp_path: Path, broker_url: str
) -> None:
    settings = settings.model_copy(update={"mode": Mode.distributed, "worker_token": "t" * 32,
                                           "broker_url": broker_url})
    db = Database(settings.resolved_database_url)
    rt = GradingRuntime(settings=settings, db=db)
    dispatcher = CeleryDispatcher(rt)
    app = create_app(settings, migrate=False, dispatcher=dispatcher, runtime=rt)
    now = datetime.now(UTC)
    registry = WorkerRegistry(redis.Redis.from_url(broker_url))
    registry.beat(WorkerBeat(name="gpu-box-1", host="gpu-box", pid=7, slots=2, healthy=True,
                             version="1.0", image="takehome-sandbox:x", started_at=now, last_seen=now))
    registry.beat(WorkerBeat(name="sick-box", host="sick", pid=8, slots=4, healthy=False,
                             problem="Docker is not answering", started_at=now, last_seen=now))
    with db.session(write=True) as s:
        make_reviewer(s, "rev@example.com")
        inv, _ = make_invitation(s)
        sid = make_submission(s, settings, inv).id
        SubmissionRepository(s).claim(sid, "gpu-box-1:4242", utcnow())
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        login(client, "rev@example.com")
        listed = {w["name"]: w for w in client.get("/api/workers").json()}
        assert listed["gpu-box-1"]["busy"] == 1 and listed["gpu-box-1"]["running"] == [sid]
        assert listed["gpu-box-1"]["slots"] == 2 and listed["gpu-box-1"]["healthy"]
        assert not listed["sick-box"]["healthy"] and "Docker" in listed["sick-box"]["problem"]
        page = client.get("/workers").text
        assert "gpu-box-1" in page and f"/submissions/{sid}" in page and "Docker is not answering" in page
        assert "1 / 2" in client.get("/").text  # healthy slots only
        # Redis away: the API says so; the pages still render.
        dispatcher.listing.client = redis_client(f"redis://127.0.0.1:{free_port()}/0",
                                                 timeout_s=1.0, retries=0)
        started = time.monotonic()
        assert client.get("/api/workers").status_code == 503
        page = client.get("/workers")
        assert page.status_code == 200 and "heartbeats are unavailable" in page.text
        assert client.get("/").status_code == 200
        assert time.monotonic() - started < 5  # no page hangs on an absent Redis
    db.dispose()
