"""The harness served for real on loopback (uvicorn in a thread, the embedded worker pool
grading with Docker), for an ATS on the other side (``tests/ats/fake_greenhouse.py``).
Imported by ``tests/ats/conftest.py``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from harness.accounts.models import Role
from harness.db.engine import Database
from harness.ledger.clock import ManualClock
from harness.notify.notifier import MemoryNotifier
from harness.settings import Settings
from tests.db.factories import make_reviewer
from tests.factories import make_assignment

__all__ = ["Live", "live"]


@dataclass
class Live:
    base: str
    app: FastAPI
    settings: Settings
    db: Database
    clock: ManualClock
    notifier: MemoryNotifier


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live(settings: Settings, tmp_path: Path, sandbox_image: str) -> Iterator[Live]:
    """The app on 127.0.0.1 with one grading slot; the clock starts at the real time and only
    moves when the test moves it (retries), the notifier keeps the e-mails."""
    port = _free_port()
    make_assignment(tmp_path / "assignments" / "tiny")
    settings = settings.model_copy(
        update={
            "assignments_dir": tmp_path / "assignments",
            "workers": 1,
            "public_url": f"http://127.0.0.1:{port}",
            "ats_delivery_s": 0,  # the test runs the retry passes itself
            "retention_sweep_s": 0,
            "ledger_sweep_s": 0,
        }
    )
    clock = ManualClock(datetime.now(UTC))
    notifier = MemoryNotifier()
    app = create_app(settings, migrate=False, clock=clock, notifier=notifier)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="ats-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    database: Database = app.state.db
    with database.session(write=True) as s:
        make_reviewer(s, "admin@example.com", role=Role.admin)
    yield Live(f"http://127.0.0.1:{port}", app, settings, database, clock, notifier)
    server.should_exit = True
    thread.join(30)
