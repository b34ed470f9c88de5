"""Every route, for every role: reviewers review, payroll pays, admins do both (issue 11).

The expected roles of each route are stated here, independently of ``api.deps``; the table must
list exactly the app's route table (minus public and candidate routes), so a new route fails
this test until someone decides who may call it. Each route is then called as each role: the
roles listed must get past authorisation (any answer but 401/403 or a redirect to the login),
the others must get 403.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.routes import route_table
from harness.accounts.models import Role
from harness.accounts.service import create_token
from harness.submissions.models import SubmissionStatus
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_reviewer, make_submission
from tests.security.test_access_matrix import CANDIDATE_PREFIXES, PUBLIC

R, P, A = Role.reviewer.value, Role.payroll.value, Role.admin.value
REVIEW = frozenset({R, A})
PAY = frozenset({P, A})
INVITE = frozenset({R, P, A})
ADMIN = frozenset({A})
ANY = frozenset({R, P, A})

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    # Reviewing: reports, notes, decisions, regrades, the dashboard, the workers.
    ("GET", "/api/submissions"): REVIEW,
    ("GET", "/api/submissions/{submission_id}"): REVIEW,
    ("GET", "/api/submissions/{submission_id}/status"): REVIEW,
    ("GET", "/api/submissions/{submission_id}/reports/{report_id}"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/regrade"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/notes"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/decision"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/select"): REVIEW,
    ("GET", "/api/dashboard"): REVIEW,
    ("GET", "/api/assignments"): REVIEW,
    ("GET", "/api/process"): REVIEW,
    ("GET", "/api/workers"): REVIEW,
    ("POST", "/api/invitations/{invitation_id}/extensions"): REVIEW,
    ("GET", "/"): REVIEW,
    ("GET", "/submissions"): REVIEW,
    ("GET", "/submissions/{submission_id}"): REVIEW,
    ("GET", "/submissions/{submission_id}/files"): REVIEW,
    ("GET", "/submissions/{submission_id}/notebook"): REVIEW,
    ("GET", "/submissions/{submission_id}/download"): REVIEW,
    ("POST", "/submissions/{submission_id}/regrade"): REVIEW,
    ("POST", "/submissions/{submission_id}/notes"): REVIEW,
    ("POST", "/submissions/{submission_id}/decision"): REVIEW,
    ("POST", "/submissions/{submission_id}/select"): REVIEW,
    ("POST", "/invitations/{invitation_id}/extensions"): REVIEW,
    ("GET", "/compare"): REVIEW,
    ("GET", "/scoring"): REVIEW,
    ("GET", "/workers"): REVIEW,
    # Human review (issue 12): blind scorecards are reviewers' work; payroll never sees them.
    ("GET", "/api/review/queue"): REVIEW,
    ("GET", "/api/review/conflicts"): REVIEW,
    ("POST", "/api/review/conflicts"): REVIEW,
    ("GET", "/api/scorecards/{scorecard_id}"): REVIEW,
    ("GET", "/api/submissions/{submission_id}/review"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/conflict"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/findings/feedback"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/reconciliation"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/scorecard"): REVIEW,
    ("POST", "/api/submissions/{submission_id}/scorecards/claim"): REVIEW,
    ("GET", "/review"): REVIEW,
    ("POST", "/review/conflicts"): REVIEW,
    ("GET", "/submissions/{submission_id}/review"): REVIEW,
    ("POST", "/submissions/{submission_id}/conflict"): REVIEW,
    ("POST", "/submissions/{submission_id}/findings/feedback"): REVIEW,
    ("POST", "/submissions/{submission_id}/reconciliation"): REVIEW,
    ("POST", "/submissions/{submission_id}/scorecard"): REVIEW,
    ("POST", "/submissions/{submission_id}/scorecards/claim"): REVIEW,
    # Integrity evidence (issue 13): reviewers' work, like the report.
    ("GET", "/api/submissions/{submission_id}/similarity"): REVIEW,
    ("GET", "/submissions/{submission_id}/similarity/{match_id}"): REVIEW,
    ("POST", "/submissions/{submission_id}/similarity/{match_id}/resolve"): REVIEW,
    # Candidate feedback and the survey summary (issue 15).
    ("GET", "/submissions/{submission_id}/candidate-feedback"): REVIEW,
    ("POST", "/submissions/{submission_id}/candidate-comments"): REVIEW,
    ("POST", "/submissions/{submission_id}/candidate-comments/{comment_id}/withdraw"): REVIEW,
    ("POST", "/submissions/{submission_id}/scorecards/{scorecard_id}/share"): REVIEW,
    ("GET", "/surveys"): REVIEW,
    ("GET", "/api/surveys"): REVIEW,
    # Inviting (pay terms beyond the assignment's are checked inside: tests/security/test_pay_terms.py).
    ("GET", "/api/invitations"): INVITE,
    ("POST", "/api/invitations"): INVITE,
    ("POST", "/api/invitations/bulk"): INVITE,
    ("GET", "/api/invitations/{invitation_id}"): INVITE,
    ("POST", "/api/invitations/{invitation_id}/link"): INVITE,
    ("GET", "/invitations"): INVITE,
    ("POST", "/invitations"): INVITE,
    ("POST", "/invitations/bulk"): INVITE,
    ("GET", "/invitations/{invitation_id}"): INVITE,
    ("POST", "/invitations/{invitation_id}/link"): INVITE,
    # Payroll.
    ("GET", "/api/payments"): PAY,
    ("GET", "/api/payments.csv"): PAY,
    ("POST", "/api/payments/{payment_id}/approve"): PAY,
    ("POST", "/api/payments/{payment_id}/paid"): PAY,
    ("GET", "/payments"): PAY,
    ("POST", "/payments/{payment_id}/approve"): PAY,
    ("POST", "/payments/{payment_id}/paid"): PAY,
    # Admin.
    ("GET", "/audit"): ADMIN,
    ("GET", "/api/audit"): ADMIN,
    ("GET", "/calibration"): ADMIN,
    # Data protection and integrations (issue 15).
    ("GET", "/admin/candidates"): ADMIN,
    ("POST", "/admin/candidates/lookup"): ADMIN,
    ("POST", "/admin/candidates/export"): ADMIN,
    ("POST", "/admin/candidates/erase"): ADMIN,
    ("GET", "/admin/retention"): ADMIN,
    ("GET", "/admin/integrations"): ADMIN,
    ("POST", "/admin/integrations"): ADMIN,
    ("POST", "/admin/integrations/{integration_id}/revoke"): ADMIN,
    ("GET", "/api/review/agreement"): ADMIN,
    ("GET", "/api/scorecards.csv"): ADMIN,
    ("GET", "/api/findings/feedback.csv"): ADMIN,
    ("POST", "/api/submissions/{submission_id}/review/start"): ADMIN,
    ("POST", "/submissions/{submission_id}/review/start"): ADMIN,
    # One's own account.
    ("GET", "/account"): ANY,
    ("POST", "/logout/everywhere"): ANY,
}

EMAILS = {R: "rev@example.com", P: "pay@example.com", A: "admin@example.com"}


ATS_PREFIX = "/api/ats/"
"""An applicant tracking system's routes: its integration key (HTTP Basic), no account."""


def _guarded(env: Env) -> set[tuple[str, str]]:
    return {
        (r.method, r.path)
        for r in route_table(env.app)
        if (r.method, r.path) not in PUBLIC
        and not r.path.startswith(CANDIDATE_PREFIXES)
        and not r.path.startswith(ATS_PREFIX)
    }


def test_no_account_opens_the_ats_routes(env: Env) -> None:
    """Every role's API token, and every role's signed-in browser, gets 401 from the ATS
    routes: they take an integration key only."""
    callers = _Callers(env)
    ats = sorted((r.method, r.path) for r in route_table(env.app) if r.path.startswith(ATS_PREFIX))
    assert len(ats) == 4
    for method, path in ats:
        for role in (R, P, A):
            bearer = {"Authorization": f"Bearer {callers.tokens[role]}"}
            r = env.fresh_client().request(method, path, headers=bearer, json={})
            assert r.status_code == 401, (role, method, path, r.status_code)
            r = callers.browser(role).request(method, path, json={})
            assert r.status_code == 401, (role, method, path, r.status_code)


def test_the_table_lists_every_guarded_route(env: Env) -> None:
    missing = sorted(_guarded(env) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - _guarded(env))
    assert not missing, f"decide who may call these routes and add them to EXPECTED: {missing}"
    assert not stale, f"these routes are gone; remove them from EXPECTED: {stale}"


class _Callers:
    """One signed-in browser and one API token per role."""

    def __init__(self, env: Env) -> None:
        self.env = env
        with env.db.session(write=True) as s:
            make_reviewer(s, EMAILS[P], role=Role.payroll)
            self.tokens = {
                role: create_token(s, s.merge(_reviewer(s, email)))
                for role, email in EMAILS.items()
            }
        self.browsers: dict[str, TestClient] = {}

    def browser(self, role: str) -> TestClient:
        if role not in self.browsers:
            client = self.env.fresh_client()
            login(client, EMAILS[role])
            self.browsers[role] = client
        return self.browsers[role]

    def forget(self, role: str) -> None:
        self.browsers.pop(role, None)


def _reviewer(session, email):  # type: ignore[no-untyped-def]
    from harness.accounts.repository import ReviewerRepository

    return ReviewerRepository(session).by_email(email)


def _fill(path: str, sid: int, inv: int) -> str:
    path = path.replace("{submission_id}", str(sid)).replace("{report_id}", "1")
    path = path.replace("{invitation_id}", str(inv)).replace("{payment_id}", "999")
    path = path.replace("{scorecard_id}", "999").replace("{comment_id}", "999")
    path = path.replace("{integration_id}", "999").replace("{match_id}", "999")
    assert "{" not in path, path
    return path


_JSON = {
    "outcome": "hold",
    "reason": "role matrix",
    "body": "role matrix",
    "assignment": "support-tickets",
    "name": "Matrix Candidate",
    "email": "matrix@example.com",
    "minutes": 5,
    "paid_on": "2026-03-31",
    "reference": "r",
}
_PARAMS = {"a": "1", "b": "1", "path": "train.py", "name": "x"}


def _call(callers: _Callers, role: str, method: str, path: str, url: str) -> tuple[int, str]:
    env = callers.env
    if path.startswith("/api/"):
        client = env.fresh_client()
        headers = {"Authorization": f"Bearer {callers.tokens[role]}"}
        if method == "GET":
            r = client.get(url, params=_PARAMS, headers=headers)
        elif path.endswith("/bulk"):
            r = client.post(
                url,
                headers={**headers, "Content-Type": "text/csv"},
                content=b"name,email\nBulk Matrix,bulk@example.com\n",
                params={"assignment": "support-tickets", "notify": "false"},
            )
        else:
            r = client.request(method, url, json=_JSON, headers=headers)
        return r.status_code, r.headers.get("location", "")
    client = callers.browser(role)
    if method == "GET":
        r = client.get(url, params=_PARAMS)
    else:
        csrf = csrf_from(client.get("/account").text)
        if path.endswith("/bulk"):
            r = client.post(
                url,
                data={"csrf_token": csrf, "assignment": "support-tickets"},
                files={"file": ("people.csv", b"name,email\nPage Bulk,pagebulk@example.com\n")},
            )
        else:
            r = client.post(url, data={**{k: str(v) for k, v in _JSON.items()}, "csrf_token": csrf})
    if path.startswith("/logout"):
        callers.forget(role)  # that browser is signed out now
    return r.status_code, r.headers.get("location", "")


@pytest.fixture
def seeded_ids(env: Env) -> tuple[int, int]:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
        return sub.id, inv.id


def test_every_route_for_every_role(env: Env, seeded_ids: tuple[int, int]) -> None:
    sid, inv = seeded_ids
    callers = _Callers(env)
    checked = 0
    for (method, path), allowed in sorted(EXPECTED.items(), key=lambda kv: "logout" in kv[0][1]):
        url = _fill(path, sid, inv)
        for role in (R, P, A):
            status, location = _call(callers, role, method, path, url)
            if role in allowed:
                # Signing out everywhere ends at the login page; nothing else may.
                to_login = location.startswith("/login") and not path.startswith("/logout")
                assert status not in (401, 403) and not to_login, (
                    role,
                    method,
                    path,
                    status,
                )
            else:
                assert status == 403, (role, method, path, status)
            checked += 1
    assert checked == 3 * len(EXPECTED)
