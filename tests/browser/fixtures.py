"""A live server (uvicorn in a thread, real worker pool, real Docker grading) and Chromium.

Debian's Chromium is driven by Playwright; Playwright's own browser download is not used.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from harness.accounts.models import Role
from harness.assignments.loader import load_assignment
from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.invitations.service import create_invitation
from harness.reports.schema import Report
from harness.reports.store import store_report
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import store_blob
from tests.db.factories import PASSWORD, make_reviewer
from tests.db.fixtures import make_settings

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REVIEWER = "browser-reviewer@example.com"


@dataclass
class LiveServer:
    url: str
    settings: Settings
    db: Database
    server: uvicorn.Server
    thread: threading.Thread
    extras: dict[str, Any] = field(default_factory=dict)

    def invite(
        self,
        name: str = "Casey Candidate",
        email: str = "casey@example.com",
        *,
        anonymous: bool = True,
        started: bool = True,
    ) -> str:
        """A new invitation's token; ``started`` presses Start for the candidate (uploads are
        refused before the clock runs)."""
        assignment = load_assignment("support-tickets", self.settings)
        with self.db.session(write=True) as s:
            inv, token = create_invitation(
                s, assignment.spec, name=name, email=email, actor="test", anonymous_review=anonymous
            )
            if started:
                from harness.db.base import utcnow
                from harness.timeboxes.service import start

                start(s, inv, utcnow())
        return token

    def reissue(self, invitation_id: int) -> str:
        """A new token for an invitation (its link was shown once, to whoever invited)."""
        from harness.invitations.service import reissue_link

        with self.db.session(write=True) as s:
            _, token = reissue_link(s, invitation_id, actor="test", link_for=lambda t: t)
        return token

    def add_graded(
        self,
        report: Report,
        *,
        name: str = "Riley Reviewed",
        archive: Path,
        filename: str = "solution.zip",
        anonymous: bool = True,
    ) -> int:
        """A graded submission holding a copy of ``report`` (no grading run)."""
        token = self.invite(
            name, f"{hashlib.sha1(name.encode()).hexdigest()[:8]}@example.com", anonymous=anonymous
        )
        from harness.invitations.service import invitation_for_token

        data = archive.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        tmp = self.settings.blobs_dir / "incoming" / f"copy-{sha}"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        key = store_blob(self.settings.blobs_dir, tmp, sha)
        with self.db.session(write=True) as s:
            inv = invitation_for_token(s, token)
            sub = Submission(
                invitation_id=inv.id,
                version=1,
                assignment_name="support-tickets",
                filename=filename,
                sha256=sha,
                blob_key=key,
                size_bytes=len(data),
                status=SubmissionStatus.graded.value,
                stages={},
            )
            s.add(sub)
            s.flush()
            store_report(s, sub, report, artifacts_dir=self.settings.artifacts_dir)
            from harness.db.base import utcnow

            sub.graded_at = utcnow()
            return sub.id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Several test folders import these session fixtures; pytest would then start one of each per
# folder (and Playwright's sync API cannot run twice at once), so one instance is shared and
# reference-counted.
_shared: dict[str, Any] = {}
_users: dict[str, int] = {}


def _start_live_server(tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    data_dir = tmp_path_factory.mktemp("live")
    port = _free_port()
    settings = make_settings(data_dir, workers=1, public_url=f"http://127.0.0.1:{port}")
    upgrade_head(settings.resolved_database_url)
    app = create_app(settings, migrate=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    db: Database = app.state.db
    with db.session(write=True) as s:
        make_reviewer(s, REVIEWER, role=Role.admin)
    return LiveServer(f"http://127.0.0.1:{port}", settings, db, server, thread)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if "live" not in _shared:
        _shared["live"] = _start_live_server(tmp_path_factory)
    _users["live"] = _users.get("live", 0) + 1
    yield _shared["live"]
    _users["live"] -= 1
    if _users["live"] == 0:
        live: LiveServer = _shared.pop("live")
        live.server.should_exit = True
        live.thread.join(20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if "browser" not in _shared:
        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    _users["browser"] = _users.get("browser", 0) + 1
    yield _shared["browser"]
    _users["browser"] -= 1
    if _users["browser"] == 0:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@dataclass
class Watched:
    """A page plus everything suspicious it did: dialogs (alert), console errors, CSP reports."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = context.new_page()
    watched = Watched(pg)

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("console", lambda m: watched.console.append(m.text) if m.type == "error" else None)
    yield watched
    context.close()


def sign_in(
    page: Page, server: LiveServer, email: str = REVIEWER, password: str = PASSWORD
) -> None:
    page.goto(f"{server.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
