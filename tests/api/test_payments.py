"""Money through the API and the pages: hourly pay with caps, flat fees, resubmissions that
never pay twice, the no-submission policy, approve and paid, the payroll CSV and its totals."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from harness.audit.models import AuditEvent
from harness.payments.models import PaymentRecord
from tests.api.fixtures import csrf_from, login
from tests.ledger.web import T0, Clocked, clocked_fixture  # noqa: F401


def _payments(t: Clocked, **params: str) -> dict:  # type: ignore[type-arg]
    r = t.client.get("/api/payments", headers=t.auth(admin=True), params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _rows(t: Clocked) -> int:
    with t.db.session() as s:
        return s.scalar(select(func.count()).select_from(PaymentRecord)) or 0


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_hourly_pay_measures_hours_and_caps_them(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]  # USD 50 per hour, the 4 h time box as the cap
    t.start(token)
    t.clock.set(T0 + timedelta(hours=2, minutes=30))
    first = t.upload(token, hours="3")
    assert first.status_code == 202
    [payment] = _payments(t)["items"]
    assert payment["amount"] == "125.00" and payment["currency"] == "USD"
    assert payment["hours"] == "2.50" and payment["status"] == "owed"
    assert payment["submission_id"] == first.json()["id"] and payment["basis"] == "submission"
    detail = t.client.get(f"/api/submissions/{first.json()['id']}", headers=t.auth()).json()
    hours = detail["ledger"]["hours"]
    assert hours == {"measured": "2.50", "billed": "2.50", "reported": "3.00"}

    # A late resubmission recomputes the one owed payment; hours stop at the time box.
    t.clock.set(T0 + timedelta(hours=6))
    second = t.upload(token)
    assert second.json()["late"] is True
    [payment2] = _payments(t)["items"]
    assert payment2["id"] == payment["id"] and payment2["amount"] == "200.00"
    assert payment2["hours"] == "4.00" and payment2["submission_id"] == second.json()["id"]
    assert payment2["owed_at"] == payment["owed_at"]  # first owed when it first became owed
    assert _rows(t) == 1


def test_cap_below_the_time_box_and_rounding(clocked: Clocked) -> None:
    t = clocked
    token = t.invite(hourly_rate="33.33", cap_hours="3", payroll=True)["token"]
    t.start(token)
    t.clock.set(T0 + timedelta(hours=3, minutes=59, seconds=59))
    t.upload(token)
    [payment] = _payments(t)["items"]
    assert payment["hours"] == "4.00"  # 3 h 59 min 59 s rounds to 4.00 h measured ...
    assert payment["amount"] == "99.99"  # ... but only 3 h are paid: 3 x 33.33


def test_flat_fee_in_another_currency(clocked: Clocked) -> None:
    t = clocked
    created = t.invite(pay_kind="flat", flat_fee="300", currency="EUR", payroll=True)
    assert created["timebox"]["pay"] == "a flat fee of EUR 300.00"
    token = created["token"]
    t.start(token)
    t.clock.set(T0 + timedelta(minutes=20))
    t.upload(token)
    [payment] = _payments(t)["items"]
    assert (payment["amount"], payment["currency"], payment["hours"]) == ("300.00", "EUR", "0.33")


def test_invalid_terms_are_refused_with_a_reason(clocked: Clocked) -> None:
    t = clocked
    r = t.client.post(
        "/api/invitations",
        headers=t.auth(),
        json={
            "assignment": "support-tickets",
            "name": "X",
            "email": "x@example.com",
            "pay_kind": "flat",
        },
    )
    assert r.status_code == 422 and "flat_fee" in r.json()["detail"]
    r = t.client.post(
        "/api/invitations",
        headers=t.auth(),
        json={
            "assignment": "support-tickets",
            "name": "X",
            "email": "x@example.com",
            "time_box_hours": "41",
        },
    )
    assert r.status_code == 422


def test_resubmissions_never_pay_twice_and_approval_freezes_the_amount(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]
    t.start(token)
    t.clock.set(T0 + timedelta(hours=1))
    t.upload(token)
    [payment] = _payments(t)["items"]
    assert payment["amount"] == "50.00"
    t.clock.set(T0 + timedelta(hours=1, minutes=5))
    approve = t.client.post(
        f"/api/payments/{payment['id']}/approve", headers=t.auth(payroll=True)
    )
    assert approve.status_code == 200, approve.text
    assert (
        approve.json()["status"] == "approved"
        and approve.json()["approved_by"] == "pay@example.com"
    )
    assert (
        t.client.post(
            f"/api/payments/{payment['id']}/approve", headers=t.auth(payroll=True)
        ).status_code
        == 409
    )
    # Uploads after approval change nothing: the amount approved is what is paid.
    t.clock.set(T0 + timedelta(hours=3))
    assert t.upload(token).status_code == 202
    [after] = _payments(t)["items"]
    assert after["amount"] == "50.00" and after["hours"] == "1.00" and _rows(t) == 1
    # The approver cannot also mark it paid: a second person (here the admin) does.
    same = t.client.post(
        f"/api/payments/{payment['id']}/paid",
        headers=t.auth(payroll=True),
        json={"paid_on": "2026-03-31", "reference": "payroll-2026-03"},
    )
    assert same.status_code == 403 and "someone else" in same.json()["detail"]
    paid = t.client.post(
        f"/api/payments/{payment['id']}/paid",
        headers=t.auth(admin=True),
        json={"paid_on": "2026-03-31", "reference": "payroll-2026-03"},
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid" and paid.json()["paid_on"] == "2026-03-31"
    again = t.client.post(
        f"/api/payments/{payment['id']}/paid",
        headers=t.auth(admin=True),
        json={"paid_on": "2026-03-31", "reference": "x"},
    )
    assert again.status_code == 409 and "already paid" in again.json()["detail"]
    with t.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("payment.owed") == 1 and actions.count("payment.approve") == 1
    assert actions.count("payment.paid") == 1


def test_paid_needs_an_approval_a_date_and_a_reference(clocked: Clocked) -> None:
    t = clocked
    token = t.invite()["token"]
    t.start(token)
    t.upload(token)  # at the start instant: zero hours, and a zero amount is never recorded
    assert _payments(t)["items"] == []
    t.clock.set(T0 + timedelta(minutes=30))
    t.upload(token)
    [payment] = _payments(t)["items"]
    assert payment["amount"] == "25.00"
    url = f"/api/payments/{payment['id']}/paid"
    payer = t.auth(admin=True)
    early = t.client.post(url, headers=payer, json={"paid_on": "2026-03-31", "reference": "r"})
    assert early.status_code == 409 and "approve it first" in early.json()["detail"]
    t.client.post(f"/api/payments/{payment['id']}/approve", headers=t.auth(payroll=True))
    assert t.client.post(url, headers=payer, json={"paid_on": "2026-03-31"}).status_code == 422
    before = t.client.post(url, headers=payer, json={"paid_on": "2026-03-01", "reference": "r"})
    assert before.status_code == 409 and "before the approval" in before.json()["detail"]
    assert t.client.post("/api/payments/999/approve", headers=payer).status_code == 404


def test_no_submission_policy_pays_by_policy_when_the_box_closes_empty(clocked: Clocked) -> None:
    t = clocked
    full = t.invite(no_submission_pay="full", email="full@example.com", payroll=True)
    fixed = t.invite(
        no_submission_pay="fixed",
        no_submission_amount="40",
        email="fixed@example.com",
        payroll=True,
    )
    never = t.invite(no_submission_pay="full", email="never@example.com", payroll=True)
    nothing = t.invite(email="nothing@example.com")
    for created in (full, fixed, nothing):
        t.start(created["token"])
    deadline = T0 + timedelta(hours=4, minutes=15)
    t.clock.set(deadline)
    assert t.sweep().closed == []
    t.clock.set(deadline + timedelta(seconds=1))
    swept = t.sweep()
    assert sorted(swept.closed) == sorted([full["id"], fixed["id"], nothing["id"]])
    amounts = {p["invitation_id"]: (p["amount"], p["basis"]) for p in _payments(t)["items"]}
    assert amounts == {
        full["id"]: ("200.00", "no_submission"),  # rate x cap
        fixed["id"]: ("40.00", "no_submission"),
    }
    # The one who never started is closed when the window ends, and owed nothing.
    t.clock.set(T0 + timedelta(days=7, seconds=1))
    assert t.sweep().expired == [never["id"]]
    assert len(_payments(t)["items"]) == 2
    # A late upload afterwards replaces the policy amount while it is still owed.
    late = t.upload(fixed["token"])
    assert late.json()["late"] is True
    row = next(p for p in _payments(t)["items"] if p["invitation_id"] == fixed["id"])
    assert (row["amount"], row["basis"], row["hours"]) == ("200.00", "submission", "4.00")


def test_payroll_csv_and_totals(clocked: Clocked) -> None:
    t = clocked
    a = t.invite(name='=HYPERLINK("http://evil.example")', email="a@example.com")
    b = t.invite(
        name="Bo Brown",
        email="b@example.com",
        pay_kind="flat",
        flat_fee="300",
        currency="EUR",
        payroll=True,
    )
    c = t.invite("strict-deadline", name="Cy Chen", email="c@example.com")
    for created in (a, b, c):
        t.start(created["token"])
    t.clock.set(T0 + timedelta(hours=2))
    for created in (a, b):
        t.upload(created["token"])
    t.clock.set(T0 + timedelta(days=31))  # April: after the window, c's upload is refused ...
    assert t.upload(c["token"]).status_code == 409
    d = t.invite(name="Di Diaz", email="d@example.com")  # ... so invite another one in April
    t.start(d["token"])
    t.clock.set(T0 + timedelta(days=31, hours=3))
    t.upload(d["token"])

    listing = _payments(t)
    assert {p["candidate"] for p in listing["items"]} >= {"Bo Brown", "Di Diaz"}
    euros = _payments(t, currency="EUR", status="owed")
    assert [p["candidate"] for p in euros["items"]] == ["Bo Brown"]
    assert [(x["key"], x["amount"]) for x in euros["totals_by_month"]] == [("2026-03", "300.00")]
    assert _payments(t, status="paid")["items"] == []
    bad_month = t.client.get("/api/payments?month=2026-13", headers=t.auth(payroll=True))
    assert bad_month.status_code == 422
    by_currency = {(x["key"], x["amount"], x["count"]) for x in listing["totals_by_currency"]}
    assert by_currency == {("EUR", "300.00", 1), ("USD", "250.00", 2)}

    r = t.client.get("/api/payments.csv", headers=t.auth(admin=True))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = _csv(r.text)
    assert len(rows) == 3
    assert {row["candidate"] for row in rows} == {
        '\'=HYPERLINK("http://evil.example")',  # a formula made inert for spreadsheets
        "Bo Brown",
        "Di Diaz",
    }
    assert {(row["currency"], row["amount"], row["owed_on"]) for row in rows} == {
        ("USD", "100.00", "2026-03-02"),
        ("EUR", "300.00", "2026-03-02"),
        ("USD", "150.00", "2026-04-02"),
    }
    payroll = t.auth(payroll=True)
    months = _csv(t.client.get("/api/payments.csv?by=month", headers=payroll).text)
    assert [(m["month"], m["currency"], m["amount"], m["count"]) for m in months] == [
        ("2026-03", "EUR", "300.00", "1"),
        ("2026-03", "USD", "100.00", "1"),
        ("2026-04", "USD", "150.00", "1"),
    ]
    per_assignment = _csv(t.client.get("/api/payments.csv?by=assignment", headers=payroll).text)
    assert [(x["assignment"], x["currency"], x["amount"]) for x in per_assignment] == [
        ("support-tickets", "EUR", "300.00"),
        ("support-tickets", "USD", "250.00"),
    ]
    march = _csv(
        t.client.get("/api/payments.csv?month=2026-03&currency=USD", headers=payroll).text
    )
    assert [row["amount"] for row in march] == ["100.00"]
    # Payroll sees who to pay; reviewers do not see the payroll at all.
    payroll_view = _csv(t.client.get("/api/payments.csv", headers=payroll).text)
    assert {row["candidate"] for row in payroll_view} >= {"Bo Brown", "Di Diaz"}
    assert t.client.get("/api/payments.csv", headers=t.auth()).status_code == 403
    assert t.client.get("/api/payments.csv").status_code == 401
    candidate = {"Authorization": f"Bearer {a['token']}"}
    assert t.client.get("/api/payments.csv", headers=candidate).status_code == 401


def test_payments_page_approve_and_mark_paid(clocked: Clocked) -> None:
    t = clocked
    token = t.invite(name="Pat Page", email="pat@example.com")["token"]
    t.start(token)
    t.clock.set(T0 + timedelta(hours=4))
    t.upload(token)
    [payment] = _payments(t)["items"]
    client = t.fresh_client()
    login(client, "admin@example.com")
    page = client.get("/payments")
    assert page.status_code == 200
    assert 'data-testid="totals-month"' in page.text and "2026-03" in page.text
    assert "USD 200.00" in page.text and f'data-testid="approve-{payment["id"]}"' in page.text
    csrf = csrf_from(page.text)
    forged = client.post(f"/payments/{payment['id']}/approve", data={"csrf_token": "nope"})
    assert forged.status_code == 403
    ok = client.post(f"/payments/{payment['id']}/approve", data={"csrf_token": csrf})
    assert ok.status_code == 303
    page = client.get("/payments?status=approved")
    assert f'data-testid="paid-{payment["id"]}"' in page.text
    # The admin approved it, so the admin cannot mark it paid: payroll does.
    same = client.post(
        f"/payments/{payment['id']}/paid",
        data={"csrf_token": csrf, "paid_on": "2026-03-20", "reference": "PR-7"},
    )
    assert same.status_code == 403 and "someone else" in same.text
    client = t.fresh_client()
    login(client, "pay@example.com")
    csrf = csrf_from(client.get("/payments").text)
    bad = client.post(
        f"/payments/{payment['id']}/paid",
        data={"csrf_token": csrf, "paid_on": "2026-03-01", "reference": "PR-7"},
    )
    assert bad.status_code == 409 and "before the approval" in bad.text
    done = client.post(
        f"/payments/{payment['id']}/paid",
        data={"csrf_token": csrf, "paid_on": "2026-03-20", "reference": "PR-7"},
    )
    assert done.status_code == 303
    [final] = _payments(t)["items"]
    assert (final["status"], final["paid_on"], final["reference"]) == ("paid", "2026-03-20", "PR-7")
    assert final["approved_by"] == "admin@example.com"
    invitation_page = client.get(f"/invitations/{final['invitation_id']}")
    assert "paid 2026-03-20 ref PR-7" in invitation_page.text
    assert Decimal(final["amount"]) == Decimal("200.00")
