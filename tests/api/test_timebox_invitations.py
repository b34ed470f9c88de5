"""Invitations of the paid time box: terms per invitation, bulk CSV (API, page, CLI) with bad
rows reported, notifications sent once, process speed on the dashboard, the report page."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from harness.invitations.models import Invitation
from harness.notify.messages import NotificationKind
from harness.submissions.models import Submission, SubmissionStatus
from tests.api.fixtures import csrf_from, login
from tests.db.factories import make_assignment_dir, make_report, make_submission
from tests.db.fixtures import make_settings
from tests.ledger.web import T0, Clocked, clocked_fixture  # noqa: F401

REPO = Path(__file__).resolve().parents[2]

GOOD_AND_BAD = (
    "name,email,time_box_hours,pay_kind,flat_fee,currency\n"
    "Ann Archer,ann@example.com,5,,,\n"
    "Bad Email,not-an-email,,,,\n"
    "Too Long,long@example.com,41,,,\n"
    "Flat Fee,flat@example.com,,flat,250,EUR\n"
    "Ann Again,ANN@example.com,,,,\n"
)


def test_invitation_terms_are_copied_and_overridable(clocked: Clocked) -> None:
    t = clocked
    default = t.invite()
    box = default["timebox"]
    assert box["time_box_hours"] == "4" and box["grace_minutes"] == 15
    assert box["late_policy"] == "accept" and box["clock_start"] == "button"
    assert box["pay"] == "USD 50.00 per hour, at most 4 hours (USD 200.00)"
    custom = t.invite(
        email="b@example.com",
        time_box_hours="6",
        grace_minutes=0,
        start_window_days=3,
        hourly_rate="80",
        cap_hours="5",
        currency="GBP",
        payroll=True,
    )["timebox"]
    assert custom["time_box_hours"] == "6" and custom["grace_minutes"] == 0
    assert custom["window_ends_at"].startswith("2026-03-05T09:00:00")
    assert custom["pay"] == "GBP 80.00 per hour, at most 5 hours (GBP 400.00)"
    # The spec can change later; the invitation keeps what was promised.
    listed = t.client.get("/api/invitations", headers=t.auth()).json()
    assert {i["timebox"]["time_box_hours"] for i in listed} == {"4", "6"}


def test_bulk_invite_by_api_keeps_good_rows_and_reports_bad_ones(clocked: Clocked) -> None:
    t = clocked
    r = t.client.post(
        "/api/invitations/bulk?assignment=support-tickets",
        headers={**t.auth(payroll=True), "Content-Type": "text/csv"},
        content=GOOD_AND_BAD.encode(),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(c["line"], c["email"]) for c in body["created"]] == [
        (2, "ann@example.com"),
        (5, "flat@example.com"),
    ]
    assert all(c["link"].startswith("http://testserver/c/") for c in body["created"])
    errors = {e["line"]: e["message"] for e in body["errors"]}
    assert set(errors) == {3, 4, 6}
    assert "not an email address" in errors[3]
    assert "at most 40" in errors[4]
    assert "earlier in this file" in errors[6]
    ann = body["created"][0]["link"].rsplit("/", 1)[1]
    assert t.timebox(ann)["time_box_hours"] == "5"
    flat = body["created"][1]["link"].rsplit("/", 1)[1]
    assert t.timebox(flat)["pay"] == "a flat fee of EUR 250.00"
    sent = [n for n in t.notifier.sent if n.kind == NotificationKind.invitation_sent]
    assert sorted(n.to[0] for n in sent) == ["ann@example.com", "flat@example.com"]
    assert body["created"][0]["link"] in sent[0].body or body["created"][0]["link"] in sent[1].body


def test_bulk_invite_multipart_and_whole_file_errors(clocked: Clocked) -> None:
    t = clocked
    ok = t.client.post(
        "/api/invitations/bulk",
        headers=t.auth(),
        params={"notify": "false"},
        files={"file": ("c.csv", b"name,email,assignment\nZed,zed@example.com,strict-deadline\n")},
    )
    assert ok.status_code == 200 and ok.json()["created"][0]["assignment"] == "strict-deadline"
    assert t.notifier.sent == []
    for data, words in (
        (b"email,name,salary\nx@example.com,X,1\n", "unknown column"),
        (b"who,where\n", "header"),
        (b"\xff\xfe\x00n", "UTF-8"),
        (b"", "empty"),
    ):
        r = t.client.post(
            "/api/invitations/bulk",
            headers={**t.auth(), "Content-Type": "text/csv"},
            content=data,
        )
        assert r.status_code == 422 and words in r.json()["detail"], (data, r.text)
    no_assignment = t.client.post(
        "/api/invitations/bulk",
        headers={**t.auth(), "Content-Type": "text/csv"},
        content=b"name,email\nYu,yu@example.com\n",
    )
    assert no_assignment.json()["errors"][0]["message"].startswith("no assignment")
    unknown = t.client.post(
        "/api/invitations/bulk?assignment=nope",
        headers={**t.auth(), "Content-Type": "text/csv"},
        content=b"name,email\nYu,yu@example.com\n",
    )
    assert unknown.json()["created"] == [] and "nope" in unknown.json()["errors"][0]["message"]


def test_bulk_and_single_invite_pages(clocked: Clocked) -> None:
    t = clocked
    client = t.fresh_client()
    login(client, "pay@example.com")  # the CSV sets pay terms: payroll invites
    page = client.get("/invitations")
    csrf = csrf_from(page.text)
    r = client.post(
        "/invitations/bulk",
        data={"csrf_token": csrf, "assignment": "support-tickets", "anonymous_review": "true"},
        files={"file": ("people.csv", GOOD_AND_BAD.encode())},
    )
    assert r.status_code == 201, r.text
    assert 'data-testid="bulk-result"' in r.text and "2 created, 3 refused" in r.text
    assert "not an email address" in r.text and "http://testserver/c/" in r.text
    forged = client.post(
        "/invitations/bulk",
        data={"csrf_token": "forged", "assignment": "support-tickets"},
        files={"file": ("people.csv", b"name,email\nNo,no@example.com\n")},
    )
    assert forged.status_code == 403
    single = client.post(
        "/invitations",
        data={
            "csrf_token": csrf,
            "assignment": "support-tickets",
            "name": "Single Page",
            "email": "single@example.com",
            "pay_kind": "flat",
            "flat_fee": "120",
            "time_box_hours": "3",
        },
    )
    assert single.status_code == 201 and 'data-testid="candidate-link"' in single.text
    bad = client.post(
        "/invitations",
        data={
            "csrf_token": csrf,
            "assignment": "support-tickets",
            "name": "Bad Terms",
            "email": "bt@example.com",
            "grace_minutes": "lots",
        },
    )
    assert bad.status_code == 422 and "grace_minutes" in bad.text
    with t.db.session() as s:
        emails = set(s.scalars(select(Invitation.id)))
    assert len(emails) == 3


def test_harness_invite_cli(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assignments = tmp_path / "assignments"
    make_assignment_dir(assignments)
    env = {
        **os.environ,
        "HARNESS_DATA_DIR": str(data_dir),
        "HARNESS_ASSIGNMENTS_DIR": str(assignments),
        "HARNESS_DEMO": "false",
        "HARNESS_PUBLIC_URL": "https://jobs.example.org",
    }

    def harness(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "harness.cli.main", "invite", *args],
            text=True,
            capture_output=True,
            env=env,
            cwd=REPO,
            timeout=120,
        )

    one = harness(
        "--assignment",
        "support-tickets",
        "--name",
        "Cli Candidate",
        "--email",
        "cli@example.com",
        "--time-box-hours",
        "5",
    )
    assert one.returncode == 0, one.stderr
    link = one.stdout.strip()
    assert link.startswith("https://jobs.example.org/c/") and len(link) > 40
    people = tmp_path / "people.csv"
    people.write_text(GOOD_AND_BAD)
    many = harness("--csv", str(people), "--assignment", "support-tickets", "--no-notify")
    assert many.returncode == 1  # some rows were refused; the good ones were invited
    lines = many.stdout.strip().splitlines()
    assert lines[0] == "line,name,email,assignment,link" and len(lines) == 3
    assert "line 3 (not-an-email)" in many.stderr and "invited 2 candidate(s)" in many.stderr
    missing = harness("--assignment", "support-tickets", "--name", "No Email")
    assert missing.returncode == 2 and "--email" in missing.stderr

    settings = make_settings(data_dir, assignments_dir=assignments)
    with TestClient(create_app(settings, migrate=False)) as client:
        token = link.rsplit("/", 1)[1]
        task = client.get(f"/c/{token}")
        assert task.status_code == 200 and "5 hours" in task.text
        assert client.get(f"/api/c/{token}").json()["timebox"]["time_box_hours"] == "5"


def test_notifications_are_sent_once_each(clocked: Clocked) -> None:
    t = clocked
    created = t.invite(email="nora@example.com")
    kinds = [n.kind for n in t.notifier.sent]
    assert kinds == [NotificationKind.invitation_sent]
    assert created["link"] in t.notifier.sent[0].body
    assert "4 hours" in t.notifier.sent[0].body and "USD 50.00 per hour" in t.notifier.sent[0].body
    quiet = t.invite(email="quiet@example.com", notify=False)
    assert len(t.notifier.sent) == 1
    for inv in (created, quiet):
        t.start(inv["token"])

    deadline = T0 + timedelta(hours=4, minutes=15)
    t.clock.set(deadline - timedelta(hours=1, seconds=1))
    assert t.sweep().sent == []  # not yet in the last hour
    t.clock.set(deadline - timedelta(minutes=40))
    swept = t.sweep()
    assert len(swept.sent) == 2 and all(k.startswith("deadline-approaching:") for k in swept.sent)
    t.clock.set(deadline - timedelta(minutes=20))
    assert t.sweep().sent == []  # each reminder once
    reminder = next(n for n in t.notifier.sent if n.kind == NotificationKind.deadline_approaching)
    assert "40 min" in reminder.subject

    upload = t.upload(created["token"])
    receipts = [n for n in t.notifier.sent if n.kind == NotificationKind.submission_received]
    assert len(receipts) == 1 and f"/submissions/{upload.json()['id']}" in receipts[0].body

    # A graded submission nobody looked at: the reviewers are nudged once.
    with t.db.session(write=True) as s:
        inv = s.get(Invitation, quiet["id"])
        assert inv is not None
        sub = make_submission(
            s, t.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
        sub.graded_at = deadline
        sub_id = sub.id
    t.clock.set(deadline + timedelta(hours=71))
    assert not any(k.startswith("review-waiting") for k in t.sweep().sent)
    t.clock.set(deadline + timedelta(hours=72))
    waiting = [k for k in t.sweep().sent if k.startswith("review-waiting")]
    assert waiting == [f"review-waiting:{sub_id}"]
    nudge = next(n for n in t.notifier.sent if n.kind == NotificationKind.review_waiting)
    assert set(nudge.to) == {"admin@example.com", "rev@example.com"}
    assert f"Candidate #{quiet['id']}" in nudge.body  # anonymous review respected
    assert t.sweep().sent == []


def test_process_speed_on_the_dashboard_and_the_report(clocked: Clocked) -> None:
    t = clocked
    fast = t.invite(email="fast@example.com")
    slow = t.invite(email="slow@example.com")
    t.clock.set(T0 + timedelta(days=1))
    t.start(fast["token"])
    t.clock.set(T0 + timedelta(days=1, hours=3))
    sub_id = t.upload(fast["token"]).json()["id"]
    with t.db.session(write=True) as s:
        sub = s.get(Submission, sub_id)
        assert sub is not None
        sub.status = SubmissionStatus.graded.value
        sub.graded_at = T0 + timedelta(days=1, hours=4)
    t.clock.set(T0 + timedelta(days=2))
    client = t.fresh_client()
    login(client, "rev@example.com")
    report = client.get(f"/submissions/{sub_id}")
    assert report.status_code == 200
    assert 'data-testid="ledger"' in report.text and 'data-testid="timeline"' in report.text
    assert "Hours measured" in report.text and "3.00" in report.text
    decided = client.post(
        f"/api/submissions/{sub_id}/decision",
        headers={"X-CSRF-Token": csrf_from(report.text)},
        json={"outcome": "advance", "reason": "good"},
    )
    assert decided.status_code == 201
    ledger = t.client.get(f"/api/submissions/{sub_id}", headers=t.auth()).json()["ledger"]
    milestones = {m["milestone"]: m["at"] for m in ledger["timeline"]["milestones"]}
    assert milestones["first_reviewed"].startswith("2026-03-04T09:00:00")  # opened the report
    assert milestones["started"].startswith("2026-03-03T09:00:00")
    assert ledger["timeline"]["waiting_for"] is None

    t.clock.set(T0 + timedelta(days=11))  # 11 of 14 days gone, no decision for "slow"
    process = t.client.get("/api/process", headers=t.auth()).json()
    assert process["target_days"] == 14
    medians = {m["step"]: m["median_seconds"] for m in process["medians"]}
    assert medians["start"] == 86400 and medians["work"] == 3 * 3600
    assert medians["review"] == 20 * 3600
    [flag] = process["at_risk"]
    assert flag["invitation_id"] == slow["id"] and flag["waiting_for"] == "started"
    assert flag["level"] in {"nearing_target", "projected_late"}
    t.clock.set(T0 + timedelta(days=15))
    [overdue] = t.client.get("/api/process", headers=t.auth()).json()["at_risk"]
    assert overdue["level"] == "overdue"
    assert client.get("/").status_code == 303  # 13 days idle: the session has ended
    login(client, "rev@example.com")
    dashboard = client.get("/")
    assert 'data-testid="at-risk"' in dashboard.text and "overdue" in dashboard.text
    assert f"Candidate #{slow['id']}" in dashboard.text
    api_dash = t.client.get("/api/dashboard", headers=t.auth()).json()
    assert api_dash["process"]["flagged"] == 1


def test_extension_page_form_and_report_show_the_reason(clocked: Clocked) -> None:
    t = clocked
    created = t.invite()
    t.start(created["token"])
    client = t.fresh_client()
    login(client, "rev@example.com")
    page = client.get(f"/invitations/{created['id']}")
    assert page.status_code == 200 and "Extend the deadline" in page.text
    csrf = csrf_from(page.text)
    forged = client.post(
        f"/invitations/{created['id']}/extensions",
        data={"csrf_token": "forged", "minutes": "30", "reason": "x"},
    )
    assert forged.status_code == 403
    empty = client.post(
        f"/invitations/{created['id']}/extensions",
        data={"csrf_token": csrf, "minutes": "30", "reason": "  "},
    )
    assert empty.status_code == 422 and "needs a reason" in empty.text
    ok = client.post(
        f"/invitations/{created['id']}/extensions",
        data={"csrf_token": csrf, "minutes": "45", "reason": "<b>flood</b> at home"},
    )
    assert ok.status_code == 303
    page = client.get(f"/invitations/{created['id']}").text
    assert "extended +45 min" in page and "&lt;b&gt;flood&lt;/b&gt; at home" in page
    t.clock.set(T0 + timedelta(hours=5))
    sub = t.upload(created["token"]).json()
    assert sub["late"] is False  # 4 h 15 min + 45 min
    login(client, "rev@example.com")  # five hours idle ended the session
    report = client.get(f"/submissions/{sub['id']}").text
    assert 'data-testid="extensions"' in report and "&lt;b&gt;flood&lt;/b&gt; at home" in report


def test_reviewer_pages_show_times_in_the_viewers_zone(clocked: Clocked) -> None:
    t = clocked
    created = t.invite()
    client = t.fresh_client()
    login(client, "rev@example.com")
    client.cookies.set("tz", "Asia/Tokyo")
    page = client.get(f"/invitations/{created['id']}").text
    assert "2026-03-02 18:00 UTC+9" in page  # invited at 09:00 UTC
    assert 'title="2026-03-02 09:00:00 UTC"' in page
    client.cookies.set("tz", "Not/AZone")
    assert "2026-03-02 09:00 UTC" in client.get(f"/invitations/{created['id']}").text


def test_timestamps_in_the_api_are_utc(clocked: Clocked) -> None:
    t = clocked
    t.clock.set(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    created = t.invite()
    assert created["created_at"].startswith("2026-07-01T12:00:00")
    assert created["created_at"].endswith(("Z", "+00:00"))
