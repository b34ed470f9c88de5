"""App and client fixtures for API, security and browser tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from harness.accounts.models import Role
from harness.accounts.service import create_token
from harness.db.engine import Database
from harness.settings import Settings
from tests.db.factories import PASSWORD, make_assignment_dir, make_reviewer

__all__ = ["Env", "csrf_from", "env", "login"]


@dataclass
class Env:
    """A running app on a fresh database, with an admin, a reviewer and an API token."""

    app: FastAPI
    client: TestClient
    settings: Settings
    db: Database
    admin_email: str
    reviewer_email: str
    token: str

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def fresh_client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver", follow_redirects=False)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "next": "/",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert r.status_code == 303, r.text


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> Iterator[Env]:
    assignments = tmp_path / "assignments"
    make_assignment_dir(assignments)
    settings = settings.model_copy(update={"assignments_dir": assignments})
    app = create_app(settings, migrate=False)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        db: Database = app.state.db
        with db.session(write=True) as s:
            make_reviewer(s, "admin@example.com", role=Role.admin)
            rev = make_reviewer(s, "rev@example.com")
            token = create_token(s, rev)
        yield Env(app, client, settings, db, "admin@example.com", "rev@example.com", token)
