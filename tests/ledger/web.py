"""The real app on a real database with a hand-moved clock and a notifier that keeps messages.

``clocked`` (``clocked_fixture``; import it into a test module) is the fixture of the time-box API tests (``tests/api/test_timebox*.py``,
``tests/api/test_payments*.py``): the same app as ``tests/api/fixtures.env`` but built with
``create_app(settings, clock=ManualClock(...), notifier=MemoryNotifier())``, so a test moves
time with ``t.clock.set(...)`` and reads what was sent in ``t.notifier.sent``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from harness.accounts.models import Role
from harness.accounts.service import create_token
from harness.db.engine import Database
from harness.ledger.clock import ManualClock
from harness.notify.notifier import MemoryNotifier
from harness.settings import Settings
from harness.sweep.service import SweepResult
from tests.db.factories import SAMPLE_FILES, make_assignment_dir, make_reviewer, zip_bytes

__all__ = ["T0", "Clocked", "clocked_fixture"]

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
"""Where the clock stands when a test begins (a Monday, 09:00 UTC)."""
ARCHIVE = zip_bytes(SAMPLE_FILES)


@dataclass
class Clocked:
    """The app, its database, a reviewer's API token and an admin's, the clock, the outbox."""

    app: FastAPI
    client: TestClient
    settings: Settings
    db: Database
    clock: ManualClock
    notifier: MemoryNotifier
    token: str
    """A plain reviewer's API token."""
    admin_token: str
    payroll_token: str = ""
    """An account with the payroll role (``pay@example.com``)."""

    def auth(self, *, admin: bool = False, payroll: bool = False) -> dict[str, str]:
        token = self.admin_token if admin else self.payroll_token if payroll else self.token
        return {"Authorization": f"Bearer {token}"}

    def fresh_client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver", follow_redirects=False)

    def invite(
        self, assignment: str = "support-tickets", *, payroll: bool = False, **body: Any
    ) -> dict[str, Any]:
        """POST /api/invitations at the clock's time; the JSON answer (with ``token``). Pay
        terms other than the assignment's need ``payroll=True`` (a payroll account invites)."""
        payload = {
            "assignment": assignment,
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            **body,
        }
        r = self.client.post("/api/invitations", headers=self.auth(payroll=payroll), json=payload)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def start(self, token: str) -> dict[str, Any]:
        r = self.client.post(f"/api/c/{token}/start")
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def upload(self, token: str, *, hours: str | None = None) -> Response:
        return self.client.post(
            f"/api/c/{token}/submissions",
            files={"file": ("solution.zip", ARCHIVE)},
            data={"hours": hours} if hours else {},
        )

    def timebox(self, token: str) -> dict[str, Any]:
        box: dict[str, Any] = self.client.get(f"/api/c/{token}").json()["timebox"]
        return box

    def sweep(self) -> SweepResult:
        result: SweepResult = self.app.state.sweeper.run_once()
        return result


@pytest.fixture(name="clocked")
def clocked_fixture(settings: Settings, tmp_path: Path) -> Iterator[Clocked]:
    assignments = tmp_path / "assignments"
    make_assignment_dir(assignments)
    make_assignment_dir(assignments, "strict-deadline", late="refuse")
    settings = settings.model_copy(update={"assignments_dir": assignments})
    clock = ManualClock(T0)
    notifier = MemoryNotifier()
    app = create_app(settings, migrate=False, clock=clock, notifier=notifier)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        db: Database = app.state.db
        with db.session(write=True) as s:
            admin = make_reviewer(s, "admin@example.com", role=Role.admin)
            rev = make_reviewer(s, "rev@example.com")
            pay = make_reviewer(s, "pay@example.com", role=Role.payroll)
            token = create_token(s, rev)
            admin_token = create_token(s, admin)
            payroll_token = create_token(s, pay)
        yield Clocked(
            app, client, settings, db, clock, notifier, token, admin_token, payroll_token
        )
