"""The Greenhouse endpoints' contract, keys and callbacks, without grading: who may call, what
a send must hold, the documented states, error reports, and the callback back-off."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from harness.ats.adapter import AtsRequestInvalid
from harness.ats.delivery import BACKOFF, deliver_due, mark_completed
from harness.ats.integrations import create_integration, revoke_integration
from harness.ats.models import AtsAssessment, AtsCallbackAttempt, AtsErrorReport
from harness.ats.service import _check_callback
from harness.invitations.models import Invitation
from harness.settings import Environment
from harness.submissions.models import Submission
from tests.api.fixtures import csrf_from, login
from tests.ats.fake_greenhouse import FakeGreenhouse
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401

BASE = "/api/ats/greenhouse"
CALLBACK = "http://127.0.0.1:9/integrations/testing_partners/take_home_tests/1"


def _key(t: Clocked, name: str = "Greenhouse (test)") -> tuple[int, str]:
    with t.db.session(write=True) as s:
        made = create_integration(s, t.settings, provider="greenhouse", name=name, actor="test",
                                  now=t.clock.now())
        return made.integration.id, made.key


def _basic(key: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()}


def _send(t: Clocked, key: str, **over: Any) -> Any:
    body: dict[str, Any] = {
        "partner_test_id": "support-tickets",
        "candidate": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
        "url": CALLBACK,
    }
    body.update(over)
    return t.client.post(f"{BASE}/send_test", json=body, headers=_basic(key))


def _invitations(t: Clocked) -> int:
    with t.db.session() as s:
        return s.scalar(select(func.count()).select_from(Invitation)) or 0


def test_only_an_active_key_of_this_ats_is_let_in(clocked: Clocked) -> None:
    t = clocked
    integration, key = _key(t)
    assert t.client.get(f"{BASE}/list_tests", headers=_basic(key)).status_code == 200
    assert t.client.get(f"{BASE}/list_tests", headers=_basic(key, "ignored")).status_code == 200
    for headers in ({}, {"Authorization": f"Bearer {t.token}"}, {"Authorization": "Basic %%%"},
                    _basic(key[:-1] + "x"), {"Authorization": "Basic " + base64.b64encode(b":").decode()}):
        r = t.client.get(f"{BASE}/list_tests", headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic"), headers
    with t.db.session(write=True) as s:
        revoke_integration(s, integration, actor="test", now=t.clock.now())
    assert t.client.get(f"{BASE}/list_tests", headers=_basic(key)).status_code == 401
    assert _send(t, key).status_code == 401 and _invitations(t) == 0


def test_keys_are_made_shown_once_and_revoked_by_an_admin_only(clocked: Clocked) -> None:
    t = clocked
    reviewer = t.fresh_client()
    login(reviewer, "rev@example.com")
    assert reviewer.get("/admin/integrations").status_code == 403
    admin = t.fresh_client()
    login(admin, "admin@example.com")
    token = csrf_from(admin.get("/admin/integrations").text)
    assert reviewer.post("/admin/integrations", data={"name": "X", "csrf_token": token}).status_code == 403
    made = admin.post("/admin/integrations", data={"name": "Greenhouse (Acme)", "csrf_token": token})
    assert made.status_code == 200
    key = re.search(r'data-testid="key" value="?([^" >]+)', made.text) or re.search(
        r'value="(hak_[^"]+)"', made.text)
    assert key
    listing = admin.get("/admin/integrations").text
    assert key.group(1) not in listing and key.group(1)[:10] in listing
    assert t.client.get(f"{BASE}/list_tests", headers=_basic(key.group(1))).status_code == 200
    ident = re.search(r'/admin/integrations/(\d+)/revoke', listing).group(1)  # type: ignore[union-attr]
    assert admin.post(f"/admin/integrations/{ident}/revoke", data={"csrf_token": token}).status_code == 303
    assert t.client.get(f"{BASE}/list_tests", headers=_basic(key.group(1))).status_code == 401


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"candidate": {"first_name": "Ada", "last_name": "L"}}, "'email'"),
        ({"partner_test_id": "no-such-test"}, "no test 'no-such-test'"),
        ({"url": "https://evil.example.com/hook"}, "not allowed"),
        ({"url": "http://app.greenhouse.io/x"}, "must use https"),
        ({"url": "ftp://127.0.0.1/x"}, "http(s)"),
        ({"candidate": "Ada"}, "'candidate' must be an object"),
        ({"partner_test_id": ["a"]}, "must be a string"),
    ],
)
def test_a_send_that_breaks_the_contract_is_refused_and_invites_nobody(
    clocked: Clocked, change: dict[str, Any], message: str
) -> None:
    t = clocked
    _, key = _key(t)
    r = _send(t, key, **change)
    assert r.status_code == 422 and message in r.json()["detail"], r.text
    assert _invitations(t) == 0 and t.notifier.sent == []


def test_sends_are_idempotent_only_for_the_same_test_person_and_url(clocked: Clocked) -> None:
    t = clocked
    _, key = _key(t)
    first = _send(t, key).json()["partner_interview_id"]
    assert _send(t, key).json()["partner_interview_id"] == first
    flat = {"partner_test_id": "support-tickets", "first_name": "Ada", "last_name": "Lovelace",
            "email": "ADA@example.com", "url": CALLBACK}  # the field table's flat form
    r = t.client.post(f"{BASE}/send_test", json=flat, headers=_basic(key))
    assert r.json()["partner_interview_id"] == first
    assert _invitations(t) == 1 and len(t.notifier.sent) == 1
    other = _send(t, key, url=CALLBACK[:-1] + "2").json()["partner_interview_id"]
    assert other != first and _invitations(t) == 2
    garbage = t.client.post(f"{BASE}/send_test", content=b"{not json", headers=_basic(key))
    assert garbage.status_code == 422


def _status(t: Clocked, key: str, pid: str) -> Any:
    r = t.client.get(f"{BASE}/test_status", params={"partner_interview_id": pid}, headers=_basic(key))
    assert r.status_code == 200, r.text
    return r.json()


def test_status_follows_the_invitation_through_the_documented_states(clocked: Clocked) -> None:
    t = clocked
    _, key = _key(t)
    pid = _send(t, key).json()["partner_interview_id"]
    token = re.search(r"/c/([A-Za-z0-9_-]+)", t.notifier.sent[0].body).group(1)  # type: ignore[union-attr]
    assert _status(t, key, pid) == {"partner_status": "sent", "partner_profile_url": None,
                                     "partner_score": None,
                                     "metadata": {"Started At": None, "Submitted At": None, "Completed At": None}}
    t.start(token)
    assert _status(t, key, pid)["partner_status"] == "started"
    t.clock.advance(timedelta(hours=1))
    sid = t.upload(token).json()["id"]
    body = _status(t, key, pid)
    assert body["partner_status"] == "submitted" and body["partner_score"] is None
    assert body["partner_profile_url"].endswith(f"/submissions/{sid}")
    with t.db.session(write=True) as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        sub.status, sub.graded_at = "rejected", t.clock.now()
    # A rejected upload never counts (issue 11) while the candidate may still upload again.
    assert _status(t, key, pid)["partner_status"] == "started"
    with t.db.session(write=True) as s:
        inv = s.get(Submission, sid).invitation  # type: ignore[union-attr]
        inv.closed_at = t.clock.now()
    body = _status(t, key, pid)
    assert body["partner_status"] == "complete" and body["partner_score"] is None
    assert body["metadata"]["Result"] == "rejected"
    # Another integration's key cannot read this test; unknown ids are not found.
    _, other = _key(t, "Greenhouse (other org)")
    r = t.client.get(f"{BASE}/test_status", params={"partner_interview_id": pid}, headers=_basic(other))
    assert r.status_code == 404
    assert t.client.get(f"{BASE}/test_status", headers=_basic(key)).status_code == 422
    with t.db.session(write=True) as s:
        inv = s.scalars(select(Invitation)).one()
        inv.revoked_at = t.clock.now()
    assert _status(t, key, pid)["partner_status"] == "cancelled"


def test_a_time_box_closed_without_upload_is_expired(clocked: Clocked) -> None:
    t = clocked
    _, key = _key(t)
    pid = _send(t, key).json()["partner_interview_id"]
    t.clock.advance(timedelta(days=30))
    t.sweep()  # the ledger sweep closes the unused window
    assert _status(t, key, pid)["partner_status"] == "expired"


def test_error_reports_are_kept_without_the_candidates_address(clocked: Clocked) -> None:
    t = clocked
    _, key = _key(t)
    body = {"api_call": "test_status", "errors": ["partner_score must be a number"],
            "partner_test_id": 1, "partner_interview_id": "abc", "candidate_email": "ada@example.com"}
    r = t.client.post(f"{BASE}/response_error", json=body, headers=_basic(key))
    assert r.status_code == 200 and r.json() == {"status": 200}
    with t.db.session() as s:
        row = s.scalars(select(AtsErrorReport)).one()
        assert (row.api_call, row.errors, row.public_id) == ("test_status", body["errors"], "abc")
        assert "ada@example.com" not in str(vars(row))
    bad = t.client.post(f"{BASE}/response_error", json={"errors": "x"}, headers=_basic(key))
    assert bad.status_code == 422


def test_callbacks_back_off_then_give_up_and_4xx_is_final(clocked: Clocked) -> None:
    t = clocked
    _, key = _key(t)
    fake = FakeGreenhouse("http://unused", key, now=lambda: t.clock.now().timestamp()).start()
    try:
        fake.known.add("500")  # a test Greenhouse knows, sent some other way
        url = f"{fake.callback_base}/integrations/testing_partners/take_home_tests/500"
        pid = _send(t, key, url=url).json()["partner_interview_id"]
        token = re.search(r"/c/([A-Za-z0-9_-]+)", t.notifier.sent[0].body).group(1)  # type: ignore[union-attr]
        t.start(token)
        sid = t.upload(token).json()["id"]
        with t.db.session(write=True) as s:
            s.get(Submission, sid).status = "graded"  # type: ignore[union-attr]
            assert mark_completed(s, sid, t.clock.now()) is not None
        fake.fail_next_patches = 100
        waits = []
        for _ in range(len(BACKOFF) + 1):
            [done] = deliver_due(t.db, t.settings, t.clock.now())
            assert not done.ok and done.status_code == 503
            with t.db.session() as s:
                row = s.scalars(select(AtsAssessment).where(AtsAssessment.public_id == pid)).one()
            if row.callback_due_at is None:
                break
            waits.append(row.callback_due_at - t.clock.now())
            assert deliver_due(t.db, t.settings, t.clock.now()) == []  # not before its time
            t.clock.set(row.callback_due_at)
        assert waits == list(BACKOFF)
        assert row.callback_state == "failed" and row.callback_failures == len(BACKOFF) + 1
        with t.db.session() as s:
            count = s.scalar(select(func.count()).select_from(AtsCallbackAttempt))
        assert count == len(BACKOFF) + 1
        # A refusal for good (404: Greenhouse does not know the test) is not retried.
        with t.db.session(write=True) as s:
            row = s.scalars(select(AtsAssessment)).one()
            row.callback_url = url.replace("/500", "/999")
            row.callback_state, row.callback_due_at, row.callback_failures = "pending", t.clock.now(), 0
        [final] = deliver_due(t.db, t.settings, t.clock.now())
        assert final.status_code == 404
        with t.db.session() as s:
            assert s.scalars(select(AtsAssessment)).one().callback_state == "failed"
    finally:
        fake.stop()


def test_a_revoked_key_stops_its_pending_callbacks(clocked: Clocked) -> None:
    t = clocked
    integration, key = _key(t)
    _send(t, key)
    token = re.search(r"/c/([A-Za-z0-9_-]+)", t.notifier.sent[0].body).group(1)  # type: ignore[union-attr]
    t.start(token)
    sid = t.upload(token).json()["id"]
    with t.db.session(write=True) as s:
        s.get(Submission, sid).status = "graded"  # type: ignore[union-attr]
        mark_completed(s, sid, t.clock.now())
        revoke_integration(s, integration, actor="test", now=t.clock.now())
    assert deliver_due(t.db, t.settings, t.clock.now()) == []
    with t.db.session() as s:
        assert s.scalars(select(AtsAssessment)).one().callback_state == "revoked"


def test_callback_hosts_are_limited_and_production_refuses_loopback(clocked: Clocked) -> None:
    t = clocked
    _check_callback(t.settings, "https://app.greenhouse.io/integrations/x")
    _check_callback(t.settings, "http://127.0.0.1:5/x")
    prod = t.settings.model_copy(update={"environment": Environment.production})
    with pytest.raises(AtsRequestInvalid):
        _check_callback(prod, "http://127.0.0.1:5/x")
    _check_callback(prod, "https://app.greenhouse.io/integrations/x")
    more = t.settings.model_copy(update={"ats_callback_hosts": "app.greenhouse.io, ats.example.org"})
    _check_callback(more, "https://ats.example.org/x")
    with pytest.raises(AtsRequestInvalid):
        _check_callback(more, "https://ats.example.org.evil.com/x")
