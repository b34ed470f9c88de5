"""Greenhouse end to end, against a fake Greenhouse on loopback that follows the contract:
list the tests, send one (twice: one invitation, one e-mail), poll it through its states, the
candidate works and the real pipeline grades, the completion callback fails once and is retried
after its back-off (every attempt recorded), Greenhouse then polls ``complete`` and stops
polling; a revoked key is refused everywhere."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from harness.ats.integrations import create_integration
from harness.ats.models import AtsAssessment, AtsCallbackAttempt
from harness.invitations.models import Invitation
from harness.submissions.models import Submission
from tests.ats.fake_greenhouse import FakeGreenhouse
from tests.ats.live import Live
from tests.factories import model_submission

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def _attempts(live: Live) -> list[AtsCallbackAttempt]:
    with live.db.session() as s:
        return list(s.scalars(select(AtsCallbackAttempt).order_by(AtsCallbackAttempt.id)))


def _wait(check, timeout: float = 240.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def _revoke_on_admin_page(live: Live, integration_id: int) -> None:
    with httpx.Client(base_url=live.base, follow_redirects=False) as admin:
        page = admin.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = admin.post("/login", data={"email": "admin@example.com", "password": "correct horse battery",
                                       "next": "/", "csrf_token": token})
        assert r.status_code == 303, r.text
        page = admin.get("/admin/integrations")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = admin.post(f"/admin/integrations/{integration_id}/revoke", data={"csrf_token": token})
        assert r.status_code == 303, r.text


def test_greenhouse_end_to_end(live: Live, tmp_path: Path) -> None:
    with live.db.session(write=True) as s:
        made = create_integration(s, live.settings, provider="greenhouse", name="Greenhouse (Acme)",
                                  actor="test", now=live.clock.now())
    fake = FakeGreenhouse(f"{live.base}/api/ats/greenhouse", made.key).start()
    try:
        _flow(live, fake, made.integration.id, tmp_path)
    finally:
        fake.stop()


def _flow(live: Live, fake: FakeGreenhouse, integration_id: int, tmp_path: Path) -> None:
    offered = {t["partner_test_id"]: t["partner_test_name"] for t in fake.list_tests()}
    assert offered["tiny"] == "Tiny tickets"

    sent = fake.send_test("tiny", "Ada", "Lovelace", "ada@example.com")
    assert fake.resend(sent) == sent.partner_interview_id  # idempotent
    with live.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Invitation)) == 1
    [mail] = live.notifier.sent
    assert mail.to == ("ada@example.com",)
    token = re.search(r"/c/([A-Za-z0-9_-]+)", mail.body).group(1)  # type: ignore[union-attr]

    assert fake.hourly_poll() == 1 and sent.statuses[-1]["partner_status"] == "sent"
    assert sent.statuses[-1]["partner_score"] is None

    candidate = httpx.Client(base_url=live.base)
    assert candidate.post(f"/api/c/{token}/start").status_code == 200
    fake.hourly_poll()
    assert sent.statuses[-1]["partner_status"] == "started"

    fake.fail_next_patches = 1  # Greenhouse is down when the test completes
    archive = _zip(model_submission(tmp_path / "solution"))
    up = candidate.post(f"/api/c/{token}/submissions", files={"file": ("solution.zip", archive)})
    assert up.status_code == 202, up.text
    sid = up.json()["id"]
    fake.hourly_poll()
    assert sent.statuses[-1]["partner_status"] == "submitted"
    assert sent.statuses[-1]["partner_profile_url"] == f"{live.base}/submissions/{sid}"

    _wait(lambda: len(_attempts(live)) == 1)  # graded; one attempt made at once, refused
    [first] = _attempts(live)
    assert first.attempt == 1 and first.status_code == 503
    assert first.next_attempt_at == live.clock.now() + timedelta(minutes=1)
    assert [p.status for p in fake.patches] == [503]
    assert fake.patches[0].basic_ok and fake.patches[0].signature_ok
    assert not sent.complete  # no PATCH got through, so Greenhouse has not asked yet

    assert live.app.state.ats_callbacks.run_once() == []  # not due yet (the near miss)
    live.clock.advance(timedelta(seconds=61))
    [retry] = live.app.state.ats_callbacks.run_once()
    assert retry.ok and retry.attempt == 2 and retry.status_code == 204
    status = fake.wait_for_status(sent, "complete")
    with live.db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "graded" and sub.overall_score is not None
        assert status["partner_score"] == round(sub.overall_score, 1)
        assert sub.graded_at is not None
        assert status["metadata"]["Completed At"] == sub.graded_at.isoformat().replace("+00:00", "Z")
        row = s.scalars(select(AtsAssessment)).one()
        assert row.callback_state == "delivered" and row.callback_due_at is None
    assert status["partner_profile_url"] == f"{live.base}/submissions/{sid}"
    assert status["metadata"]["Result"] == "graded" and status["metadata"]["Uploads"] == 1
    assert [(a.attempt, a.status_code) for a in _attempts(live)] == [(1, 503), (2, 204)]
    polls = fake.polls
    assert fake.hourly_poll() == 0 and fake.polls == polls  # complete: Greenhouse stops polling
    assert fake.reported_errors == []

    _revoke_on_admin_page(live, integration_id)
    for call in (fake.list_tests, lambda: fake.poll(sent),
                 lambda: fake.send_test("tiny", "Bob", "B", "bob@example.com")):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            call()
        assert refused.value.response.status_code == 401
        assert refused.value.response.headers["www-authenticate"].startswith("Basic")
