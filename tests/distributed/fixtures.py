"""The worker-facing API in-process, on the test database (no Redis, no Celery)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from harness.assignments.loader import Assignment, load_assignment
from harness.db.engine import Database
from harness.jobs.dispatch import NullDispatcher
from harness.jobs.runtime import GradingRuntime
from harness.settings import Mode, Settings
from harness.submissions.models import ReportRecord, Submission
from tests.db.factories import make_invitation, make_submission
from tests.distributed.cluster import tiny_files
from tests.factories import make_assignment

__all__ = ["TOKEN", "WorkerApi", "serving_wapi", "wapi"]

TOKEN = "worker-token-0123456789abcdefghijklmnop"


@dataclass
class WorkerApi:
    client: TestClient
    settings: Settings
    db: Database
    assignment: Assignment
    runtime: GradingRuntime

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKEN}"}

    def submit(self, files: dict[str, str | bytes] | None = None, name: str = "ada") -> int:
        with self.db.session(write=True) as s:
            inv, _ = make_invitation(s, name=name, email=f"{name}-{time.monotonic_ns()}@example.com",
                                     spec=self.assignment.spec)
            return make_submission(s, self.settings, inv, files=files or tiny_files()).id

    def claim(self, sid: int, worker: str = "w1:100") -> dict[str, Any]:
        r = self.client.post(f"/api/worker/jobs/{sid}/claim", json={"worker": worker}, headers=self.auth)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def get(self, url: str, **headers: str) -> Any:
        return self.client.get(url, headers={**self.auth, **headers})

    def put_output(self, sid: int, token: str, stage: str, name: str, body: bytes) -> Any:
        return self.client.put(f"/api/worker/jobs/{sid}/outputs/{stage}/{name}", content=body,
                               headers={**self.auth, "X-Claim-Token": token})

    def post(self, sid: int, what: str, body: dict[str, Any]) -> Any:
        return self.client.post(f"/api/worker/jobs/{sid}/{what}", json=body, headers=self.auth)

    def submission(self, sid: int) -> Submission:
        with self.db.session() as s:
            sub = s.get(Submission, sid)
            assert sub is not None
            return sub

    def reports(self, sid: int) -> list[ReportRecord]:
        with self.db.session() as s:
            return list(s.scalars(select(ReportRecord).where(ReportRecord.submission_id == sid)))


def _worker_api(settings: Settings, tmp_path: Path, **assignment: Any) -> Iterator[WorkerApi]:
    make_assignment(tmp_path / "assignments" / "tiny", **assignment)
    settings = settings.model_copy(update={
        "mode": Mode.distributed, "worker_token": TOKEN, "assignments_dir": tmp_path / "assignments",
    })
    db = Database(settings.resolved_database_url)
    runtime = GradingRuntime(settings=settings, db=db, max_attempts=2, backoff_s=(30.0,))
    app = create_app(settings, migrate=False, dispatcher=NullDispatcher(), runtime=runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield WorkerApi(client, settings, db, load_assignment("tiny", settings), runtime)
    db.dispose()




@pytest.fixture
def wapi(settings: Settings, tmp_path: Path) -> Iterator[WorkerApi]:
    yield from _worker_api(settings, tmp_path)


@pytest.fixture
def serving_wapi(settings: Settings, tmp_path: Path) -> Iterator[WorkerApi]:
    """The tiny assignment with an optional model server (``[serving]``) weighted in its rubric."""
    yield from _worker_api(
        settings, tmp_path, wall_seconds=30, memory_mb=512,
        rubric="accuracy = 0.4\ntests = 0.2\nquality = 0.2\nwriteup = 0.2\nserving = 0.1",
        serving="sample = 30\nconcurrent_requests = 20\nbatches = 2\nbatch_size = 8")
