"""The clock through the API, to the second: start, deadline edges, grace, late policies,
daylight saving inside the window, extensions, the window expiring unused.

Time only moves when a test moves ``t.clock``; nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from harness.audit.models import AuditEvent
from harness.submissions.models import Submission
from tests.api.fixtures import csrf_from
from tests.db.factories import make_assignment_dir
from tests.ledger.web import T0, Clocked, clocked_fixture  # noqa: F401

SECOND = timedelta(seconds=1)
BOX = timedelta(hours=4)
"""The test assignment's time box (``time_box_hours = "4"``), with the default 15 min grace."""
GRACE = timedelta(minutes=15)


def _iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _uploads(t: Clocked) -> int:
    with t.db.session() as s:
        return s.scalar(select(func.count()).select_from(Submission)) or 0


def _actions(t: Clocked, action: str) -> list[AuditEvent]:
    with t.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_upload_before_start_is_refused_with_what_to_do(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]
    box = t.timebox(token)
    assert box["phase"] == "not_started" and box["started_at"] is None
    assert _at(box["window_ends_at"]) == T0 + timedelta(days=7)
    r = t.upload(token)
    assert r.status_code == 409 and "press Start" in r.json()["detail"]
    page = t.client.get(f"/c/{token}")
    assert 'data-testid="start"' in page.text and "Uploads open once the clock runs" in page.text
    assert _uploads(t) == 0


def test_deadline_edges_to_the_second_accept_policy(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]
    t.clock.set(T0 + timedelta(hours=1))
    started = t.start(token)
    start = T0 + timedelta(hours=1)
    assert _at(started["started_at"]) == start
    assert _at(started["work_ends_at"]) == start + BOX
    deadline = start + BOX + GRACE
    assert _at(started["deadline_at"]) == deadline
    # Starting again changes nothing (idempotent), whatever the time.
    t.clock.set(start + timedelta(minutes=5))
    assert _at(t.start(token)["started_at"]) == start

    t.clock.set(deadline)  # exactly at the deadline: on time
    on_time = t.upload(token)
    assert on_time.status_code == 202, on_time.text
    assert on_time.json()["late"] is False and on_time.json()["late_by_seconds"] is None

    t.clock.set(deadline + SECOND)  # one second later: accepted, marked late by 1 s
    late = t.upload(token)
    assert late.status_code == 202, late.text
    body = late.json()
    assert body["late"] is True and body["late_by_seconds"] == 1 and body["version"] == 2
    assert "1 s after the deadline" in body["message"] and "marked late" in body["message"]
    assert t.client.get(body["status_url"]).json()["late"] is True
    page = t.client.get(f"/c/{token}/submissions/{body['id']}")
    assert 'data-testid="late-message"' in page.text and "1 s after the deadline" in page.text


def test_deadline_edges_to_the_second_refuse_policy(clocked: Clocked) -> None:
    t = clocked
    token = t.invite("strict-deadline")["token"]
    t.start(token)
    deadline = T0 + BOX + GRACE
    assert t.timebox(token)["late_policy"] == "refuse"
    t.clock.set(deadline)
    assert t.upload(token).status_code == 202
    t.clock.set(deadline + SECOND)
    refused = t.upload(token)
    assert refused.status_code == 409
    assert "does not accept late submissions" in refused.json()["detail"]
    assert "2026-03-02 13:15:00 UTC" in refused.json()["detail"]  # the deadline it missed
    assert _uploads(t) == 1, "a refused upload is not stored"
    page = t.client.get(f"/c/{token}")
    assert "does not accept late submissions" in page.text  # the countdown's end message


def test_grace_period_counts_as_on_time(clocked: Clocked) -> None:
    t = clocked
    token = t.invite(grace_minutes=10)["token"]
    t.start(token)
    work_end = T0 + BOX
    t.clock.set(work_end)
    box = t.timebox(token)
    assert box["phase"] == "running" and box["remaining_seconds"] == 0
    t.clock.set(work_end + SECOND)
    box = t.timebox(token)
    assert box["phase"] == "in_grace" and box["remaining_seconds"] == 10 * 60 - 1
    assert _at(box["phase_ends_at"]) == work_end + timedelta(minutes=10)
    r = t.upload(token)
    assert r.status_code == 202 and r.json()["late"] is False
    t.clock.set(work_end + timedelta(minutes=10) + SECOND)
    assert t.timebox(token)["phase"] == "over"
    assert t.upload(token).json()["late"] is True


def test_daylight_saving_change_inside_the_window(clocked: Clocked) -> None:
    """US clocks jump from 02:00 EST to 03:00 EDT on 2026-03-08. A 4 h time box started at
    00:30 EST ends at 05:30 EDT: four real hours, though the wall clock moved five."""
    t = clocked
    t.clock.set(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    token = t.invite(grace_minutes=0)["token"]
    start = datetime(2026, 3, 8, 5, 30, tzinfo=UTC)  # 00:30 EST
    t.clock.set(start)
    r = t.client.post(f"/api/c/{token}/start", json={"time_zone": "America/New_York"})
    assert r.status_code == 200
    deadline = _at(r.json()["deadline_at"])
    assert deadline == start + BOX == datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
    # Shown in the viewer's zone, with the offsets of each date, and the UTC time on hover.
    t.client.cookies.set("tz", "America/New_York")
    page = t.client.get(f"/c/{token}").text
    t.client.cookies.delete("tz")
    assert "2026-03-08 00:30 UTC-5" in page and "2026-03-08 05:30 UTC-4" in page
    assert 'datetime="2026-03-08T09:30:00+00:00" title="2026-03-08 09:30:00 UTC"' in page
    t.clock.set(deadline)
    upload = t.upload(token)
    assert upload.status_code == 202 and upload.json()["late"] is False
    detail = t.client.get(f"/api/submissions/{upload.json()['id']}", headers=t.auth()).json()
    assert detail["ledger"]["hours"]["measured"] == "4.00"  # four hours, not three or five
    assert detail["ledger"]["payment"]["amount"] == "200.00"  # 4 h x USD 50


def test_extensions_before_and_after_the_start_are_audited_and_reported(clocked: Clocked) -> None:
    t = clocked
    created = t.invite(start_window_days=1)
    token, inv_id = created["token"], created["id"]
    # Before the start: more time to start; the time box itself is unchanged.
    r = t.client.post(
        f"/api/invitations/{inv_id}/extensions",
        headers=t.auth(),
        json={"minutes": 120, "reason": "travelling until Tuesday noon"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["before_start"] is True and r.json()["deadline_after"] is None
    window_end = T0 + timedelta(days=1, hours=2)
    assert _at(r.json()["window_ends_after"]) == window_end
    t.clock.set(window_end)  # past the original window, inside the extended one
    start = t.start(token)
    assert _at(start["deadline_at"]) == window_end  # capped by the (extended) window
    # After the start: the deadline moves by the full amount, past the window's end.
    r = t.client.post(
        f"/api/invitations/{inv_id}/extensions",
        headers=t.auth(),
        json={"minutes": 30, "reason": "power cut at the candidate's"},
    )
    assert r.status_code == 201
    new_deadline = window_end + timedelta(minutes=30)
    assert _at(r.json()["deadline_before"]) == window_end
    assert _at(r.json()["deadline_after"]) == new_deadline
    assert _at(t.timebox(token)["deadline_at"]) == new_deadline
    t.clock.set(new_deadline)
    upload = t.upload(token)
    assert upload.status_code == 202 and upload.json()["late"] is False

    events = _actions(t, "invitation.extend")
    assert [e.detail["minutes"] for e in events] == [120, 30]
    assert events[1].actor_label == "rev@example.com"
    assert events[1].detail["reason"] == "power cut at the candidate's"
    sub_id = upload.json()["id"]
    ledger = t.client.get(f"/api/submissions/{sub_id}", headers=t.auth()).json()["ledger"]
    assert [e["reason"] for e in ledger["extensions"]] == [
        "travelling until Tuesday noon",
        "power cut at the candidate's",
    ]
    assert ledger["timebox"]["extension_minutes"] == 30
    assert ledger["timebox"]["window_extension_minutes"] == 120
    detail = t.client.get(f"/api/invitations/{inv_id}", headers=t.auth()).json()
    assert [e["minutes"] for e in detail["extensions"]] == [120, 30]
    assert detail["submission_ids"] == [sub_id]
    assert detail["payment"]["amount"] == "25.00"  # 30 min worked (started at the window end)
    milestones = {m["milestone"]: m["at"] for m in detail["timeline"]["milestones"]}
    assert _at(milestones["started"]) == window_end and milestones["graded"] is None
    assert t.client.get("/api/invitations/999", headers=t.auth()).status_code == 404


def test_extension_needs_a_reason_and_a_reviewer(clocked: Clocked) -> None:
    t = clocked
    created = t.invite()
    url = f"/api/invitations/{created['id']}/extensions"
    assert (
        t.client.post(url, headers=t.auth(), json={"minutes": 30, "reason": "   "}).status_code
        == 422
    )
    assert (
        t.client.post(url, headers=t.auth(), json={"minutes": 0, "reason": "x"}).status_code == 422
    )
    candidate = {"Authorization": f"Bearer {created['token']}"}
    assert (
        t.client.post(url, headers=candidate, json={"minutes": 30, "reason": "x"}).status_code
        == 401
    )
    assert t.client.post(url, json={"minutes": 30, "reason": "x"}).status_code == 401
    assert _actions(t, "invitation.extend") == []


def test_window_expiring_unused_refuses_start_and_upload_and_is_swept(clocked: Clocked) -> None:
    t = clocked
    created = t.invite(start_window_days=2)
    token = created["token"]
    window_end = T0 + timedelta(days=2)
    t.clock.set(window_end)  # the last instant to start
    assert t.timebox(token)["phase"] == "not_started"
    assert t.sweep().closed == []
    t.clock.set(window_end + SECOND)
    assert t.timebox(token)["phase"] == "expired"
    r = t.client.post(f"/api/c/{token}/start")
    assert r.status_code == 409 and "ask the hiring team" in r.json()["detail"]
    up = t.upload(token)
    assert up.status_code == 409 and "window" in up.json()["detail"]
    page = t.client.get(f"/c/{token}").text
    assert "The window to start this assignment has closed" in page
    swept = t.sweep()
    assert swept.closed == [created["id"]] and swept.expired == [created["id"]]
    assert swept.payments == []  # nothing owed by default to someone who never started
    assert t.sweep().closed == []  # closed once
    assert len(_actions(t, "invitation.expired")) == 1
    # An extension reopens it: the candidate can start again.
    ext = t.client.post(
        f"/api/invitations/{created['id']}/extensions",
        headers=t.auth(),
        json={"minutes": 60, "reason": "missed the e-mail"},
    )
    assert ext.status_code == 201
    assert t.start(token)["phase"] == "running"


def test_first_kit_download_starts_the_clock_when_the_assignment_says_so(
    clocked: Clocked,
) -> None:
    t = clocked
    assert t.settings.assignments_dir is not None
    folder = make_assignment_dir(t.settings.assignments_dir, "kit-starts")
    spec = folder / "assignment.toml"
    spec.write_text(spec.read_text().replace("[policy]\n", '[policy]\nclock_start = "download"\n'))
    token = t.invite("kit-starts")["token"]
    button_only = t.invite(email="grace@example.com")["token"]
    t.clock.set(T0 + timedelta(minutes=3))
    assert t.client.get(f"/c/{token}/kit.zip").status_code == 200
    assert _at(t.timebox(token)["started_at"]) == T0 + timedelta(minutes=3)
    assert t.client.get(f"/c/{button_only}/kit.zip").status_code == 200
    assert t.timebox(button_only)["started_at"] is None


def test_start_button_form_needs_the_page_token(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]
    client = t.fresh_client()
    forged = client.post(f"/c/{token}/start", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and t.timebox(token)["started_at"] is None
    csrf = csrf_from(client.get(f"/c/{token}").text)
    ok = client.post(f"/c/{token}/start", data={"csrf_token": csrf, "time_zone": "Europe/Berlin"})
    assert ok.status_code == 303 and ok.headers["location"] == f"/c/{token}#timebox"
    page = client.get(f"/c/{token}").text
    assert 'data-testid="countdown"' in page and ">4:00:00<" in page  # rendered without JS
    assert 'id="upload-form"' in page
    assert t.timebox(token)["phase"] == "running"
    assert len(_actions(t, "invitation.start")) == 1


def test_countdown_numbers_on_the_page_match_the_api(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]
    t.start(token)
    t.clock.set(T0 + timedelta(hours=3, minutes=59, seconds=58))
    page = t.client.get(f"/c/{token}").text
    assert ">0:00:02<" in page
    deadline_ms = int((T0 + BOX + GRACE).timestamp() * 1000)
    assert f'data-deadline="{deadline_ms}"' in page
    assert f'data-server-now="{int(t.clock.now().timestamp() * 1000)}"' in page
    assert t.timebox(token)["remaining_seconds"] == 2
