"""Pay terms beyond the assignment's need the payroll or admin role (issue 11, separation of
duties): a reviewer can invite on the assignment's terms, or on terms that pay no more, but
cannot promise more pay; payroll and admins can. Through the API, the invite form and the bulk
CSV. The assignment of these tests pays USD 50 an hour over a 4-hour time box."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from harness.invitations.models import Invitation
from tests.api.fixtures import csrf_from, login
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401

BEYOND = [
    pytest.param({"pay_kind": "flat", "flat_fee": "300", "currency": "USD"}, id="flat-fee"),
    pytest.param({"hourly_rate": "80"}, id="higher-rate"),
    pytest.param({"currency": "EUR"}, id="other-currency"),
    pytest.param({"time_box_hours": "6"}, id="longer-hourly-box"),
    pytest.param({"cap_hours": "10"}, id="higher-cap"),
    pytest.param({"no_submission_pay": "full"}, id="pay-without-submission"),
]
WITHIN = [
    pytest.param({}, id="assignment-terms"),
    pytest.param({"pay_kind": "hourly", "hourly_rate": "50", "currency": "USD"}, id="same-spelled-out"),
    pytest.param({"time_box_hours": "3"}, id="shorter-box"),
    pytest.param({"cap_hours": "2"}, id="lower-cap"),
    pytest.param({"grace_minutes": 30, "start_window_days": 3}, id="timing-only"),
]


def _invitations(t: Clocked) -> int:
    with t.db.session() as s:
        return s.scalar(select(func.count()).select_from(Invitation)) or 0


def _post(t: Clocked, terms: dict[str, Any], **auth: bool) -> Any:
    body = {"assignment": "support-tickets", "name": "Pat Paid", "email": "pat@example.com"}
    return t.client.post("/api/invitations", headers=t.auth(**auth), json={**body, **terms})


@pytest.mark.parametrize("terms", BEYOND)
def test_a_reviewer_cannot_promise_more_pay(clocked: Clocked, terms: dict[str, Any]) -> None:
    t = clocked
    r = _post(t, terms)
    assert r.status_code == 403, r.text
    assert "payroll or admin" in r.json()["detail"]
    assert _invitations(t) == 0  # refused before anything was made


@pytest.mark.parametrize("terms", BEYOND)
def test_payroll_and_admins_can(clocked: Clocked, terms: dict[str, Any]) -> None:
    t = clocked
    assert _post(t, terms, payroll=True).status_code == 201
    assert _post(t, terms, admin=True).status_code == 201
    assert _invitations(t) == 2


@pytest.mark.parametrize("terms", WITHIN)
def test_a_reviewer_can_invite_on_terms_that_pay_no_more(
    clocked: Clocked, terms: dict[str, Any]
) -> None:
    t = clocked
    r = _post(t, terms)
    assert r.status_code == 201, r.text
    assert _invitations(t) == 1


def test_the_invite_form_refuses_a_reviewer_the_same_way(clocked: Clocked) -> None:
    t = clocked
    browser = t.fresh_client()
    login(browser, "rev@example.com")
    form = {
        "csrf_token": csrf_from(browser.get("/invitations").text),
        "assignment": "support-tickets",
        "name": "Pat Paid",
        "email": "pat@example.com",
        "hourly_rate": "80",
    }
    refused = browser.post("/invitations", data=form)
    assert refused.status_code == 422 and "payroll or admin" in refused.text
    assert _invitations(t) == 0
    accepted = browser.post("/invitations", data={**form, "hourly_rate": ""})
    assert accepted.status_code == 201 and _invitations(t) == 1


def test_bulk_invitations_refuse_a_reviewer_more_pay_per_row(clocked: Clocked) -> None:
    t = clocked
    csv_text = (
        "name,email,hourly_rate\n"
        "Row Within,within@example.com,50\n"
        "Row Beyond,beyond@example.com,80\n"
    )
    r = t.client.post(
        "/api/invitations/bulk",
        headers={**t.auth(), "Content-Type": "text/csv"},
        content=csv_text.encode(),
        params={"assignment": "support-tickets", "notify": "false"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["email"] for c in body["created"]] == ["within@example.com"], body
    [error] = body["errors"]
    assert error["line"] == 3 and "payroll or admin" in error["message"]
