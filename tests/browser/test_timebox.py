"""The time box in Chromium: the countdown ticks, reaches the late-submission message, and a
late upload shows the late (or refused) message.

Both clocks are fake, so nothing waits for real time: the server runs with a ``ManualClock``
the test moves, and the page runs under Playwright's clock (``page.clock``), which the test
fast-forwards. The countdown is computed from the server's numbers, so the two agree.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect

from api.app import create_app
from harness.accounts.models import Role
from harness.assignments.loader import load_assignment
from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.invitations.service import create_invitation, invitation_for_token
from harness.ledger.clock import ManualClock
from harness.notify.notifier import MemoryNotifier
from harness.settings import Settings
from tests.browser.fixtures import Watched
from tests.db.factories import (
    PASSWORD,
    SAMPLE_FILES,
    make_assignment_dir,
    make_reviewer,
    zip_bytes,
)
from tests.db.fixtures import make_settings

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
BOX = timedelta(hours=4)
GRACE = timedelta(minutes=15)


@dataclass
class ClockedServer:
    url: str
    db: Database
    clock: ManualClock
    settings: Settings

    def invite(self, assignment: str, email: str) -> str:
        spec = load_assignment(assignment, self.settings).spec
        with self.db.session(write=True) as s:
            _, token = create_invitation(
                s, spec, name="Tess Timer", email=email, actor="test", now=self.clock.now()
            )
        return token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockedServer]:
    root = tmp_path_factory.mktemp("timebox-live")
    make_assignment_dir(root / "assignments")
    make_assignment_dir(root / "assignments", "strict-deadline", late="refuse")
    port = _free_port()
    settings = make_settings(
        root, assignments_dir=root / "assignments", public_url=f"http://127.0.0.1:{port}"
    )
    upgrade_head(settings.resolved_database_url)
    clock = ManualClock(T0)
    app = create_app(settings, migrate=False, clock=clock, notifier=MemoryNotifier())
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, name="timebox-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:  # polling for the server to come up, not waiting on the clock
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield ClockedServer(f"http://127.0.0.1:{port}", app.state.db, clock, settings)
    srv.should_exit = True
    thread.join(20)


@pytest.fixture
def zone_page(browser: Browser) -> Iterator[Watched]:
    """A page in a New York browser (to see times in the viewer's zone)."""
    context = browser.new_context(
        viewport={"width": 1300, "height": 1000}, timezone_id="America/New_York"
    )
    pg = context.new_page()
    watched = Watched(pg)
    pg.on("console", lambda m: watched.console.append(m.text) if m.type == "error" else None)
    yield watched
    context.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("zips") / "solution.zip"
    path.write_bytes(zip_bytes(SAMPLE_FILES))
    return path


def test_countdown_ticks_to_the_late_message_and_a_late_upload_is_marked(
    server: ClockedServer, zone_page: Watched, archive: Path
) -> None:
    server.clock.set(T0)
    token = server.invite("support-tickets", "tess@example.com")
    pg = zone_page.page
    # The browser's clock, moved by the test only: installed, then paused (an installed clock
    # otherwise keeps flowing, and the exact countdown text would race the page load).
    pg.clock.install(time=T0 - timedelta(seconds=1))
    pg.clock.pause_at(T0)
    pg.goto(f"{server.url}/c/{token}")
    message = pg.get_by_test_id("timebox-message")
    expect(message).to_contain_text("Press Start when you are ready")
    expect(pg.get_by_test_id("upload-closed")).to_be_visible()
    zone_page.shot("timebox-before-start")

    server.clock.set(T0 + timedelta(minutes=1))
    pg.get_by_test_id("start").click()
    pg.wait_for_url(re.compile(rf"/c/{token}"))
    countdown = pg.get_by_test_id("countdown")
    expect(countdown).to_have_text("4:00:00")
    # Times are shown in the browser's zone (EST), the UTC time on hover.
    deadline_cell = pg.get_by_test_id("deadline").locator("time")
    expect(deadline_cell).to_have_text("2026-03-02 08:16 UTC-5")
    assert deadline_cell.get_attribute("title") == "2026-03-02 13:16:00 UTC"

    pg.clock.run_for(3000)  # the countdown ticks
    expect(countdown).to_have_text("3:59:57")
    zone_page.shot("timebox-running")

    pg.clock.fast_forward("03:59:57")  # to the end of the time box proper
    pg.clock.run_for(1000)
    expect(pg.get_by_test_id("countdown-label")).to_have_text("Grace period left")
    expect(countdown).to_have_text(re.compile(r"^0:14:5\d$"))
    expect(message).to_contain_text("grace period")

    pg.clock.fast_forward("15:00")  # past the deadline
    pg.clock.run_for(1000)
    expect(message).to_have_text(
        "The deadline has passed. You can still upload: late uploads are accepted and marked late."
    )
    expect(countdown).to_be_hidden()
    zone_page.shot("timebox-deadline-passed")

    # The server's clock is past the deadline too: the upload is kept and marked late.
    server.clock.set(T0 + timedelta(minutes=1) + BOX + GRACE + timedelta(seconds=90))
    pg.set_input_files("#file", str(archive))
    pg.click("#upload-button")
    pg.wait_for_url(re.compile(rf"/c/{token}/submissions/\d+"))
    late = pg.get_by_test_id("late-message")
    expect(late).to_contain_text("1 min after the deadline")
    expect(late).to_contain_text("marked late")
    expect(pg.locator(".badge.late")).to_be_visible()
    zone_page.shot("timebox-late-upload")
    assert zone_page.console == []


def test_refused_late_upload_shows_the_refusal(
    server: ClockedServer, zone_page: Watched, archive: Path
) -> None:
    server.clock.set(T0)
    token = server.invite("strict-deadline", "strict@example.com")
    pg = zone_page.page
    pg.clock.install(time=T0 - timedelta(seconds=1))
    pg.clock.pause_at(T0)
    pg.goto(f"{server.url}/c/{token}")
    pg.get_by_test_id("start").click()
    pg.wait_for_url(re.compile(rf"/c/{token}"))
    expect(pg.get_by_test_id("countdown")).to_have_text("4:00:00")
    pg.clock.fast_forward("04:15:01")
    pg.clock.run_for(1000)
    message = pg.get_by_test_id("timebox-message")
    expect(message).to_contain_text("does not accept late submissions")

    server.clock.set(T0 + BOX + GRACE + timedelta(seconds=1))
    pg.set_input_files("#file", str(archive))
    pg.click("#upload-button")
    error = pg.get_by_test_id("upload-error-live")
    expect(error).to_be_visible()
    expect(error).to_contain_text("does not accept late submissions")
    expect(error).to_contain_text("2026-03-02 13:15:00 UTC")
    assert pg.url.split("#")[0].endswith(f"/c/{token}")  # stayed put: nothing was accepted
    zone_page.shot("timebox-late-upload-refused")


def test_reviewer_runs_the_time_box_from_invitation_to_payment_export(
    server: ClockedServer, page: Watched, archive: Path
) -> None:
    """Invite with custom terms, the candidate works late, an extension with a reason, the
    upload, then approve, mark paid and export, all through the pages."""
    with server.db.session(write=True) as s:
        make_reviewer(s, "lead@example.com", role=Role.admin)
        make_reviewer(s, "payroll@example.com", role=Role.payroll)
    server.clock.set(T0)
    pg = page.page
    pg.goto(f"{server.url}/login")
    pg.fill("input[name=email]", "lead@example.com")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{server.url}/")

    pg.goto(f"{server.url}/invitations")
    form = pg.locator("#invite-form")
    form.locator("input[name=name]").fill("Robin Reviewer-Flow")
    form.locator("input[name=email]").fill("robin@example.com")
    form.locator("summary").click()
    form.locator("input[name=time_box_hours]").fill("2")
    form.locator("select[name=pay_kind]").select_option("flat")
    form.locator("input[name=flat_fee]").fill("150")
    form.locator("input[name=currency]").fill("EUR")
    form.locator("button[type=submit]").click()
    link = pg.get_by_test_id("candidate-link").input_value()
    token = link.rsplit("/", 1)[1]
    page.shot("timebox-reviewer-invited")

    # The candidate starts, and their deadline (2 h + 15 min) is extended by 30 min.
    candidate = pg.context.new_page()
    candidate.goto(link)
    candidate.get_by_test_id("start").click()
    candidate.wait_for_url(re.compile(rf"/c/{token}"))
    with server.db.session() as s:
        invitation_id = invitation_for_token(s, token).id
    pg.goto(f"{server.url}/invitations")
    pg.locator(f"a[href='/invitations/{invitation_id}']").first.click()
    pg.locator("#extension-form input[name=minutes]").fill("30")
    pg.locator("#extension-form textarea[name=reason]").fill("internet outage, confirmed")
    pg.locator("#extension-form button").click()
    expect(pg.get_by_test_id("extensions")).to_contain_text("internet outage, confirmed")
    expect(pg.get_by_test_id("deadline")).to_contain_text("extended +30 min")
    page.shot("timebox-reviewer-extension")

    server.clock.set(T0 + timedelta(hours=2, minutes=40))  # inside the extended deadline
    candidate.goto(link)
    candidate.set_input_files("#file", str(archive))
    candidate.click("#upload-button")
    candidate.wait_for_url(re.compile(rf"/c/{token}/submissions/\d+"))
    expect(candidate.get_by_test_id("late-message")).to_have_count(0)
    candidate.close()

    # 2 h 40 min without a request: the reviewer's session ended on idle (60 min), so the
    # payments page asks for the sign-in again.
    pg.goto(f"{server.url}/payments")
    expect(pg.get_by_role("heading", name="Reviewer sign-in")).to_be_visible()
    pg.fill("input[name=email]", "lead@example.com")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.goto(f"{server.url}/payments")
    # Admins run payroll, so they see names even under anonymous review.
    row = pg.locator("table[data-testid=payments] tbody tr", has_text="Robin Reviewer-Flow")
    expect(row).to_contain_text("EUR 150.00")
    row.get_by_role("button", name="Approve").click()
    expect(row).to_contain_text("approved")
    # Whoever approved cannot also mark it paid (separation of duties): payroll does.
    row.locator("input[name=paid_on]").fill("2026-03-31")
    row.locator("input[name=reference]").fill("PR-2026-03")
    row.get_by_role("button", name="Mark paid").click()
    expect(pg.get_by_test_id("payment-error")).to_contain_text("someone else")
    payroll = pg.context.browser.new_context().new_page()  # type: ignore[union-attr]
    payroll.goto(f"{server.url}/login")
    payroll.fill("input[name=email]", "payroll@example.com")
    payroll.fill("input[name=password]", PASSWORD)
    payroll.click("button[type=submit]")
    payroll.goto(f"{server.url}/payments")
    paid_row = payroll.locator(
        "table[data-testid=payments] tbody tr", has_text="Robin Reviewer-Flow"
    )
    paid_row.locator("input[name=paid_on]").fill("2026-03-31")
    paid_row.locator("input[name=reference]").fill("PR-2026-03")
    paid_row.get_by_role("button", name="Mark paid").click()
    expect(paid_row).to_contain_text("2026-03-31")
    payroll.context.close()
    pg.goto(f"{server.url}/payments")
    expect(row).to_contain_text("2026-03-31")
    expect(pg.get_by_test_id("totals-currency")).to_contain_text("EUR")
    page.shot("timebox-reviewer-payments")
    export = pg.request.get(f"{server.url}/api/payments.csv")
    assert export.ok and "PR-2026-03" in export.text() and "EUR,150.00,paid" in export.text()

    pg.goto(f"{server.url}/")
    expect(pg.get_by_test_id("medians")).to_contain_text("invited → started")
    page.shot("timebox-reviewer-dashboard")
    assert page.dialogs == []
