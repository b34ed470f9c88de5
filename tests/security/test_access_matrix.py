"""Who may call what, checked over the app's own route table (a new route cannot slip through).

Every route not on the public list must refuse anonymous callers and candidate tokens; admin
routes must also refuse plain reviewers. Refusals must not change anything.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from api.routes import RouteInfo, route_table
from harness.audit.models import AuditEvent
from harness.invitations.models import Decision
from harness.submissions.models import Note, SubmissionStatus
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_submission

# Routes anyone may call. Candidate routes are guarded by the token in their path instead.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/static/{path}"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
}
CANDIDATE_PREFIXES = ("/c/{token}", "/api/c/{token}")
ADMIN = {
    ("GET", "/audit"),
    ("GET", "/api/audit"),
    ("GET", "/admin/candidates"),
    ("GET", "/admin/retention"),
    ("GET", "/admin/integrations"),
    ("GET", "/calibration"),
    ("GET", "/api/review/agreement"),
    ("GET", "/api/scorecards.csv"),
    ("GET", "/api/findings/feedback.csv"),
}


def _reviewer_routes(env: Env) -> list[RouteInfo]:
    routes = route_table(env.app)
    assert len(routes) > 30, "the route table looks incomplete"
    return [
        r
        for r in routes
        if (r.method, r.path) not in PUBLIC and not r.path.startswith(CANDIDATE_PREFIXES)
    ]


def _fill(path: str, sid: int) -> str:
    path = path.replace("{submission_id}", str(sid)).replace("{report_id}", "1")
    # The seeded invitation is the first row; refusals must come before any lookup anyway.
    path = path.replace("{invitation_id}", "1").replace("{payment_id}", "1")
    path = path.replace("{comment_id}", "1").replace("{integration_id}", "1")
    path = path.replace("{match_id}", "1")
    path = path.replace("{scorecard_id}", "1")
    assert "{" not in path, f"unknown path parameter in {path}: add it to _fill"
    return path


@pytest.fixture
def seeded(env: Env) -> tuple[int, str]:
    with env.db.session(write=True) as s:
        inv, token = make_invitation(s)
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
        return sub.id, token


def _counts(env: Env) -> tuple[int, int, int]:
    with env.db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Note)) or 0,
            s.scalar(select(func.count()).select_from(Decision)) or 0,
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action != "login.failed")
            )
            or 0,
        )


def _refused(status: int, location: str) -> bool:
    return status in (401, 403) or (status == 303 and location.startswith("/login"))


def test_every_reviewer_route_refuses_anonymous_and_candidate_tokens(
    env: Env, seeded: tuple[int, str]
) -> None:
    sid, candidate_token = seeded
    before = _counts(env)
    checked = 0
    for route in _reviewer_routes(env):
        url = _fill(route.path, sid)
        body = {
            "outcome": "advance",
            "reason": "x",
            "body": "x",
            "assignment": "support-tickets",
            "name": "X",
            "email": "x@example.com",
        }
        for headers in (
            {},
            {"Authorization": f"Bearer {candidate_token}"},
            {"Authorization": "Bearer hrt_forged"},
        ):
            client = env.fresh_client()
            if route.method == "GET":
                r = client.get(
                    url,
                    params={"a": sid, "b": sid, "path": "train.py", "name": "x"},
                    headers=headers,
                )
            else:
                r = client.request(route.method, url, json=body, headers=headers)
            assert _refused(r.status_code, r.headers.get("location", "")), (
                route,
                headers,
                r.status_code,
            )
            checked += 1
    assert checked >= 3 * 20
    assert _counts(env) == before, "a refused request changed something"


def test_admin_routes_refuse_plain_reviewers(env: Env) -> None:
    client = env.fresh_client()
    login(client, env.reviewer_email)
    for method, path in ADMIN:
        assert (method, path) in {(r.method, r.path) for r in route_table(env.app)}
        r = client.request(method, path, headers=env.auth() if path.startswith("/api") else {})
        assert r.status_code == 403, path
    admin = env.fresh_client()
    login(admin, env.admin_email)
    assert admin.get("/audit").status_code == 200


def test_candidate_tokens_never_reach_other_invitations(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv_a, token_a = make_invitation(s, name="A", email="a@example.com")
        inv_b, token_b = make_invitation(s, name="B", email="b@example.com")
        sub_b = make_submission(s, env.settings, inv_b)
        sub_a = make_submission(s, env.settings, inv_a)
    c = env.fresh_client()
    assert c.get(f"/api/c/{token_a}/submissions/{sub_a.id}").status_code == 200
    assert c.get(f"/api/c/{token_a}/submissions/{sub_b.id}").status_code == 404
    assert c.get(f"/c/{token_a}/submissions/{sub_b.id}").status_code == 404
    home = c.get(f"/api/c/{token_a}").json()
    assert [s["id"] for s in home["submissions"]] == [sub_a.id]
    # A candidate token is not a reviewer credential, in either header or path.
    assert (
        c.get("/api/submissions", headers={"Authorization": f"Bearer {token_b}"}).status_code == 401
    )


def test_security_headers_on_every_page(env: Env, seeded: tuple[int, str]) -> None:
    sid, token = seeded
    client = env.fresh_client()
    login(client, env.admin_email)
    urls = [
        "/",
        "/submissions",
        f"/submissions/{sid}",
        f"/submissions/{sid}/files?path=train.py",
        "/invitations",
        "/audit",
        "/docs",
        "/login",
        f"/c/{token}",
        "/healthz",
        "/api/submissions",
        "/static/app.js",
        f"/compare?a={sid}&b={sid}",
        "/nope-404",
    ]
    for url in urls:
        r = client.get(url, headers=env.auth() if url.startswith("/api") else {})
        csp = r.headers.get("content-security-policy", "")
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        ), url
        assert "frame-ancestors 'none'" in csp, url
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["referrer-policy"] == "no-referrer", url
    nb = client.get(f"/submissions/{sid}/notebook", params={"name": "notebooks/notebook.html"})
    assert (
        "sandbox" in nb.headers["content-security-policy"]
        and "default-src 'none'" in nb.headers["content-security-policy"]
    )
    html = client.get(f"/submissions/{sid}").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script> on a page"
    assert " style=" not in html, "inline style attribute (needs style-src 'unsafe-inline')"


def test_session_cookie_flags(env: Env) -> None:
    secure_app = env.settings.model_copy(update={"session_cookie_secure": True})
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(secure_app, migrate=False)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        cookie = c.get("/login").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_csrf_is_required(env: Env, seeded: tuple[int, str]) -> None:
    sid, _ = seeded
    client = env.fresh_client()
    assert (
        client.post(
            "/login", data={"email": env.reviewer_email, "password": "correct horse battery"}
        ).status_code
        == 403
    )
    login(client, env.reviewer_email)
    before = _counts(env)
    # A cross-site form post carries the cookie but cannot know the token.
    for path, data in (
        (f"/submissions/{sid}/notes", {"body": "forged"}),
        (f"/submissions/{sid}/decision", {"outcome": "reject", "reason": "forged"}),
        (f"/submissions/{sid}/regrade", {}),
        ("/invitations", {"assignment": "support-tickets", "name": "X", "email": "x@example.com"}),
        (f"/submissions/{sid}/notes", {"body": "forged", "csrf_token": "wrong"}),
    ):
        r = client.post(path, data=data, headers={"Origin": "https://evil.example"})
        assert r.status_code == 403, path
    # Cookie-authenticated JSON API calls that change data need the header too.
    assert client.post(f"/api/submissions/{sid}/notes", json={"body": "forged"}).status_code == 403
    assert _counts(env) == before
    token = csrf_from(client.get(f"/submissions/{sid}").text)
    assert (
        client.post(
            f"/api/submissions/{sid}/notes", json={"body": "ok"}, headers={"X-CSRF-Token": token}
        ).status_code
        == 201
    )


def test_login_is_rate_limited(env: Env) -> None:
    client = env.fresh_client()
    token = csrf_from(client.get("/login").text)
    codes = [
        client.post(
            "/login",
            data={"email": env.reviewer_email, "password": f"wrong-{i}", "csrf_token": token},
        ).status_code
        for i in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # Even the right password waits now: guessing cannot continue by luck.
    r = client.post(
        "/login",
        data={
            "email": env.reviewer_email,
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_open_redirect_after_login_is_refused(env: Env) -> None:
    client = env.fresh_client()
    token = csrf_from(client.get("/login").text)
    for target in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        r = client.post(
            "/login",
            data={
                "email": env.reviewer_email,
                "password": "correct horse battery",
                "csrf_token": token,
                "next": target,
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/", target
        token = csrf_from(client.get("/login").text)


def test_every_candidate_route_refuses_an_unknown_or_revoked_token(
    env: Env, seeded: tuple[int, str]
) -> None:
    from datetime import UTC, datetime

    from harness.invitations.models import Invitation
    from harness.invitations.service import invitation_for_token

    sid, token = seeded
    with env.db.session(write=True) as s:
        revoked_inv, revoked = make_invitation(s, name="R", email="r@example.com")
        row = s.get(Invitation, revoked_inv.id)
        assert row is not None
        row.revoked_at = datetime.now(UTC)
    with env.db.session() as s:
        assert invitation_for_token(s, token).id  # the seeded token is valid
    routes = [r for r in route_table(env.app) if r.path.startswith(CANDIDATE_PREFIXES)]
    assert len(routes) >= 7
    for route in routes:
        for bad in ("x" * 43, revoked):
            url = _fill(route.path.replace("{token}", bad), sid)
            client = env.fresh_client()
            if route.method == "GET":
                r = client.get(url)
            else:
                r = client.post(url, files={"file": ("a.zip", b"PK\x05\x06" + b"\0" * 18)})
            assert r.status_code == 404, (route, r.status_code)
