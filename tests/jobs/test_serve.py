"""``harness serve`` as the README runs it: the demo comes up, grades for real, and survives a crash.

The service is killed (SIGKILL) while it grades a demo submission; started again, it picks the
job up and every demo submission ends with exactly one current report. Meanwhile every kind of
secret the harness hands out is created (demo links, an API token, an invitation link, a
session, a device cookie, CSRF tokens) and used; at the end the log of the whole run, both
starts included, is searched for each one (issue 11: secrets out of logs).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from harness.audit.models import AuditEvent
from harness.db.engine import Database
from harness.review.models import AnonymousScorecard
from harness.submissions.models import ReportRecord, Submission

REPO = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HARNESS_DATA_DIR": str(data_dir),
        "HARNESS_DEMO": "true",
        "HARNESS_WORKERS": "1",
        "HARNESS_ENVIRONMENT": "development",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _demo_links(data_dir: Path) -> dict[str, str]:
    lines = (data_dir / "demo-links.txt").read_text().splitlines()
    return dict(line.split("\t", 1) for line in lines)


def _demo_tokens(data_dir: Path) -> dict[str, str]:
    return {f"demo {k}": v.rsplit("/c/", 1)[1] for k, v in _demo_links(data_dir).items()}


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _use_every_secret(base: str, data_dir: Path) -> dict[str, str]:
    """Create and use one of each secret the harness hands out; returns them by name."""
    made = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "token", "create", "demo@example.com"],
        cwd=REPO,
        env={**os.environ, "HARNESS_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    api_token = made.stdout.strip()
    bearer = {"Authorization": f"Bearer {api_token}"}
    invited = httpx.post(
        f"{base}/api/invitations",
        headers=bearer,
        json={"assignment": "support-tickets", "name": "Lee Logs", "email": "lee@example.com"},
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["token"]
    assert httpx.post(f"{base}/api/c/{token}/start").status_code == 200
    from harness.demo import zip_folder
    from tests.jobs.real import BASELINE

    archive = zip_folder(BASELINE, data_dir.parent / "logs-baseline.zip")
    uploaded = httpx.post(
        f"{base}/api/c/{token}/submissions", files={"file": ("lee.zip", archive.read_bytes())}
    )
    assert uploaded.status_code == 202, uploaded.text
    assert httpx.get(f"{base}/c/{token}/submissions/{uploaded.json()['id']}").status_code == 200
    with httpx.Client(base_url=base) as browser:
        page = browser.get("/login")
        r = browser.post(
            "/login",
            data={
                "email": "demo@example.com",
                "password": "demo-reviewer-password",
                "csrf_token": _csrf(page.text),
            },
        )
        assert r.status_code == 303
        session = browser.cookies["harness_session"]
        device = r.cookies["harness_device"]
        csrf = _csrf(browser.get("/").text)
        assert browser.get("/api/submissions", headers={"X-CSRF-Token": csrf}).status_code == 200
    return {
        "API token": api_token,
        "invitation link token": token,
        "session cookie": session,
        "device cookie": device,
        "CSRF token": csrf,
    }


def _assert_no_secret_in(log_text: str, secrets: dict[str, str]) -> None:
    assert len(secrets) >= 8
    for name, value in secrets.items():
        assert len(value) >= 16, name
        assert value not in log_text, f"the {name} is in the log"
    # The requests that carried them were logged, with the secret replaced.
    assert "/c/<redacted>" in log_text and "/api/c/<redacted>/submissions" in log_text
    assert "notification invitation_sent" in log_text  # the e-mail went to the log, redacted


def test_serve_demo_grades_and_survives_a_crash(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "var", tmp_path / "serve.log"
    port = _port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(data_dir, port, log)
    try:
        _wait(lambda: httpx.get(f"{base}/healthz").status_code == 200, 120, "the service")
        out = log.read_text()
        assert "demo@example.com" in out and "demo-reviewer-password" in out
        demo_links = _demo_links(data_dir)
        assert demo_links and all(link not in out for link in demo_links.values())
        assert httpx.get(demo_links["candidate"]).status_code == 200
        db = Database(f"sqlite:///{data_dir / 'harness.db'}")

        def running() -> bool:
            with db.session() as s:
                return (
                    s.scalar(select(func.count()).where(Submission.status == "running")) or 0
                ) > 0

        _wait(running, 120, "a demo submission to start grading")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(20)

    proc = _serve(data_dir, port, log)
    try:

        def all_graded() -> bool:
            with db.session() as s:
                statuses = s.scalars(select(Submission.status)).all()
                return bool(statuses) and all(st in ("graded", "rejected") for st in statuses)

        _wait(lambda: httpx.get(f"{base}/healthz").status_code == 200, 120, "the restart")
        secrets = _use_every_secret(base, data_dir)
        _wait(all_graded, 600, "every submission to be graded after the restart")

        def demo_erasure_done() -> bool:
            with db.session() as s:
                return s.scalar(
                    select(func.count()).where(AuditEvent.action == "candidate.erase")
                ) == 1

        # The demo candidate who asked to be erased is erased once graded (issue 15).
        _wait(demo_erasure_done, 300, "the demo's erasure")
        with db.session() as s:
            # Their two scorecards still count on the calibration page, as anonymous levels.
            assert s.scalar(select(func.count()).select_from(AnonymousScorecard)) == 2
            subs = s.scalars(select(Submission)).all()
            assert len(subs) >= 2
            for sub in subs:
                current = s.scalar(
                    select(func.count()).where(
                        ReportRecord.submission_id == sub.id, ReportRecord.current.is_(True)
                    )
                )
                assert current == 1, sub.id
            assert any(sub.attempts == 2 for sub in subs), "the interrupted job was claimed again"
        # The demo reviewer can sign in and read a report.
        with httpx.Client(base_url=base) as c:
            page = c.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            r = c.post(
                "/login",
                data={
                    "email": "demo@example.com",
                    "password": "demo-reviewer-password",
                    "csrf_token": token,
                },
            )
            assert r.status_code == 303
            assert "Confusion matrix" in c.get(f"/submissions/{subs[0].id}").text
            dashboard = c.get("/").text
            assert 'data-testid="erased-counted"' in dashboard and "1 upload of erased" in dashboard
        db.dispose()
        _assert_no_secret_in(log.read_text(), {**secrets, **_demo_tokens(data_dir)})
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
