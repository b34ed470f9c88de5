"""The review API and pages on a running app: every new route's authorization, blindness
enforced by the API as well as the pages, the decision gate, exports, feedback on findings and
the webhook event."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from api.routes import route_table
from harness.accounts.models import Role
from harness.accounts.repository import ReviewerRepository
from harness.accounts.service import create_token
from harness.db.base import utcnow
from harness.jobs.webhook import sign
from harness.review.seats import open_review
from harness.submissions.models import SubmissionStatus
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_reviewer, make_submission

REVIEW_TOML = """
[review]
scorecards = 2
[[review.criteria]]
key = "framing"
name = "Problem framing"
judges = "Whether the problem was understood."
weight = 2
compare_with = "writeup"
levels = ["No framing.", "Loose framing.", "Good framing.", "Sharp framing."]
[[review.criteria]]
key = "evaluation"
name = "Evaluation rigour"
judges = "Whether the numbers can be trusted."
weight = 1
levels = ["Untrustworthy.", "Thin.", "Sound.", "Rigorous."]
"""


@pytest.fixture
def reviewed(env: Env) -> dict[str, Any]:
    """The test assignment with a [review] table, two reviewers (A holds seat 1, B seat 2), an
    outsider reviewer, and one graded submission whose review is open."""
    toml = env.settings.assignments_dir / "support_tickets" / "assignment.toml"  # type: ignore[operator]
    toml.write_text(toml.read_text() + REVIEW_TOML)
    with env.db.session(write=True) as s:
        for email in ("a@example.com", "b@example.com"):
            make_reviewer(s, email)
        tokens = {
            email: create_token(s, ReviewerRepository(s).by_email(email))  # type: ignore[arg-type]
            for email in ("a@example.com", "b@example.com")
        }
        # The env's own reviewer exists too: keep it off the seats by a conflict on the domain.
        inv, _ = make_invitation(s, name="Grace Hopper", email="grace@navy.example")
        from harness.review.service import declare_conflict

        rev = ReviewerRepository(s).by_email(env.reviewer_email)
        assert rev is not None
        declare_conflict(s, env.settings, rev, email="@navy.example", reason="", now=utcnow())
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report(score=70)
        )
        review = open_review(s, env.settings, sub.id, now=utcnow())
        assert review is not None
    return {"sid": sub.id, "a": tokens["a@example.com"], "b": tokens["b@example.com"]}


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


GOOD = {"ratings": {"framing": 3, "evaluation": 3}, "recommendation": "advance", "comments": "ok"}


def test_blindness_is_enforced_by_the_api(env: Env, reviewed: dict[str, Any]) -> None:
    sid, a, b = reviewed["sid"], reviewed["a"], reviewed["b"]
    c = env.client
    mine = c.post(f"/api/submissions/{sid}/scorecard", headers=_h(a), json=GOOD)
    assert mine.status_code == 200 and mine.json()["status"] == "submitted"
    card = mine.json()["id"]
    # B, whose own scorecard is open, may not fetch A's scorecard, nor see it in the review.
    early = c.get(f"/api/scorecards/{card}", headers=_h(b))
    assert early.status_code == 403 and "submit your own scorecard" in early.json()["detail"]
    view = c.get(f"/api/submissions/{sid}/review", headers=_h(b)).json()
    assert view["blind"] is True and view["scorecards"] == [] and view["combined"] is None
    assert view["my_scorecard"]["status"] == "assigned"
    # Nor can the outsider (no seat) while reviewers are still scoring.
    assert c.get(f"/api/scorecards/{card}", headers=env.auth()).status_code == 403
    # A sees their own.
    assert c.get(f"/api/scorecards/{card}", headers=_h(a)).json()["ratings"] == GOOD["ratings"]
    assert c.post(f"/api/submissions/{sid}/scorecard", headers=_h(b), json=GOOD).status_code == 200
    assert c.get(f"/api/scorecards/{card}", headers=_h(b)).status_code == 200
    assert c.get(f"/api/scorecards/{card}", headers=env.auth()).status_code == 200
    full = c.get(f"/api/submissions/{sid}/review", headers=env.auth()).json()
    assert full["status"] == "complete" and len(full["scorecards"]) == 2
    assert full["combined"]["score"] == pytest.approx(0.4 * 70 + 0.6 * 66.67, abs=0.01)


def test_the_decision_waits_for_the_scorecards(env: Env, reviewed: dict[str, Any]) -> None:
    sid, a, b = reviewed["sid"], reviewed["a"], reviewed["b"]
    body = {"outcome": "advance", "reason": "strong"}
    early = env.client.post(f"/api/submissions/{sid}/decision", headers=env.auth(), json=body)
    assert early.status_code == 409 and "0 of 2 required scorecards" in early.json()["detail"]
    plain = env.client.post(
        f"/api/submissions/{sid}/decision",
        headers=env.auth(),
        json={**body, "override_review": True},
    )
    assert plain.status_code == 403  # overriding is for admins
    for token in (a, b):
        env.client.post(f"/api/submissions/{sid}/scorecard", headers=_h(token), json=GOOD)
    ok = env.client.post(f"/api/submissions/{sid}/decision", headers=env.auth(), json=body)
    assert ok.status_code == 201
    decided = env.client.get(f"/api/submissions/{sid}/review", headers=env.auth()).json()
    (decision,) = decided["decisions"]
    assert len(decision["scorecard_ids"]) == 2 and decision["recommendation"] is not None


def test_an_open_seat_hides_the_decision_and_notes_in_the_submission_api(
    env: Env, reviewed: dict[str, Any]
) -> None:
    sid, a = reviewed["sid"], reviewed["a"]
    env.client.post(f"/api/submissions/{sid}/notes", headers=env.auth(), json={"body": "secret"})
    with env.db.session(write=True) as s:
        admin = ReviewerRepository(s).by_email(env.admin_email)
        admin_token = create_token(s, admin)  # type: ignore[arg-type]
    forced = env.client.post(
        f"/api/submissions/{sid}/decision",
        headers=_h(admin_token),
        json={"outcome": "reject", "reason": "withdrew", "override_review": True},
    )
    assert forced.status_code == 201
    # The override withdrew A's seat: A is no longer blind, and sees the decision.
    seen = env.client.get(f"/api/submissions/{sid}", headers=_h(a)).json()
    assert seen["decision"] == "reject" and seen["notes"][0]["body"] == "secret"


def test_open_seat_holder_sees_no_decision_or_notes(env: Env, reviewed: dict[str, Any]) -> None:
    sid, a = reviewed["sid"], reviewed["a"]
    env.client.post(f"/api/submissions/{sid}/notes", headers=env.auth(), json={"body": "leaky"})
    env.client.post(f"/api/submissions/{sid}/notes", headers=_h(a), json={"body": "mine"})
    seen = env.client.get(f"/api/submissions/{sid}", headers=_h(a)).json()
    assert [n["body"] for n in seen["notes"]] == ["mine"]
    other = env.client.get(f"/api/submissions/{sid}", headers=env.auth()).json()
    assert {n["body"] for n in other["notes"]} == {"leaky", "mine"}


def test_queue_claim_and_conflicts(env: Env, reviewed: dict[str, Any]) -> None:
    with env.db.session(write=True) as s:
        make_reviewer(s, "late@example.com")
        late = create_token(s, ReviewerRepository(s).by_email("late@example.com"))  # type: ignore[arg-type]
        inv, _ = make_invitation(s, name="Q", email="q@queue.example")
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
    # a and b hold a seat each already: the two least loaded (late and the env's reviewer) get it.
    with env.db.session(write=True) as s:
        from harness.review.models import Review

        review = open_review(s, env.settings, sub.id, now=utcnow())
        assert isinstance(review, Review)
    queue = env.client.get("/api/review/queue", headers=_h(late)).json()
    assert [m["submission_id"] for m in queue["mine"]] == [sub.id]
    claimed = env.client.post(
        f"/api/submissions/{reviewed['sid']}/scorecards/claim", headers=_h(late)
    )
    assert claimed.status_code == 409  # that review's two seats are taken
    assert (
        env.client.post(
            "/api/review/conflicts", headers=_h(late), json={"email": "@queue.example"}
        ).status_code
        == 201
    )
    assert (
        env.client.get("/api/review/conflicts", headers=_h(late)).json()[0]["email_pattern"]
        == "@queue.example"
    )
    # The conflict released late's open seat on that candidate; someone else holds it now.
    assert env.client.get("/api/review/queue", headers=_h(late)).json()["mine"] == []
    seats = env.client.get(f"/api/submissions/{sub.id}/review", headers=_h(late)).json()
    assert seats["blind"] is True  # a conflicted reviewer never sees the scorecards
    bad = env.client.post("/api/review/conflicts", headers=_h(late), json={"email": "nobody"})
    assert bad.status_code == 422


def test_admin_only_routes(env: Env, reviewed: dict[str, Any]) -> None:
    sid, a = reviewed["sid"], reviewed["a"]
    for path in (
        "/api/review/agreement?assignment=support-tickets",
        "/api/scorecards.csv",
        "/api/findings/feedback.csv",
    ):
        assert env.client.get(path, headers=_h(a)).status_code == 403, path
    assert env.client.post(f"/api/submissions/{sid}/review/start", headers=_h(a)).status_code == 403
    with env.db.session(write=True) as s:
        admin_token = create_token(s, ReviewerRepository(s).by_email(env.admin_email))  # type: ignore[arg-type]
    for token in (a, reviewed["b"]):
        env.client.post(f"/api/submissions/{sid}/scorecard", headers=_h(token), json=GOOD)
    figures = env.client.get(
        "/api/review/agreement?assignment=support-tickets", headers=_h(admin_token)
    )
    assert figures.status_code == 200
    body = figures.json()
    assert body["scorecards"] == 2 and body["submissions"] == 1
    assert [c["key"] for c in body["criteria"]] == ["framing", "evaluation"]
    csv_text = env.client.get("/api/scorecards.csv", headers=_h(admin_token)).text
    assert (
        csv_text.splitlines()[0].startswith("scorecard_id,submission_id")
        and len(csv_text.splitlines()) == 5
    )
    admin = env.fresh_client()
    login(admin, env.admin_email)
    page = admin.get("/calibration")
    assert (
        page.status_code == 200
        and "Krippendorff" in page.text
        and 'aria-label="Reviewer offsets"' in page.text
    )
    reviewer = env.fresh_client()
    login(reviewer, "a@example.com")
    assert reviewer.get("/calibration").status_code == 403


def test_feedback_on_findings_is_audited_and_counted(env: Env, reviewed: dict[str, Any]) -> None:
    sid, a = reviewed["sid"], reviewed["a"]
    url = f"/api/submissions/{sid}/findings/feedback"
    ok = env.client.post(
        url,
        headers=_h(a),
        json={"grader": "quality", "index": 1, "verdict": "wrong", "reason": "os is used"},
    )
    assert ok.status_code == 201 and ok.json()["rule"] == "quality:F401"
    assert (
        env.client.post(
            url, headers=_h(a), json={"grader": "quality", "index": 0, "verdict": "confirmed"}
        ).status_code
        == 201
    )
    no_reason = env.client.post(
        url, headers=_h(a), json={"grader": "quality", "index": 0, "verdict": "unhelpful"}
    )
    assert no_reason.status_code == 422
    missing = env.client.post(
        url, headers=_h(a), json={"grader": "quality", "index": 9, "verdict": "confirmed"}
    )
    assert missing.status_code == 404
    with env.db.session(write=True) as s:
        admin_token = create_token(s, ReviewerRepository(s).by_email(env.admin_email))  # type: ignore[arg-type]
    rules = env.client.get(
        "/api/review/agreement?assignment=support-tickets", headers=_h(admin_token)
    ).json()["rules"]
    assert rules == [
        {"rule": "quality:F401", "confirmed": 1, "wrong": 1, "unhelpful": 0, "precision": 0.5}
    ]
    exported = env.client.get("/api/findings/feedback.csv", headers=_h(admin_token)).text
    assert "os is used" in exported and exported.count("\n") == 3
    audit = env.client.get("/api/audit?action=finding.feedback", headers=_h(admin_token)).json()
    assert len(audit) == 2


def test_csv_export_defuses_formulas(env: Env, reviewed: dict[str, Any]) -> None:
    sid, a = reviewed["sid"], reviewed["a"]
    env.client.post(
        f"/api/submissions/{sid}/scorecard",
        headers=_h(a),
        json={**GOOD, "comments": "=HYPERLINK(1)"},
    )
    with env.db.session(write=True) as s:
        admin_token = create_token(s, ReviewerRepository(s).by_email(env.admin_email))  # type: ignore[arg-type]
    text = env.client.get("/api/scorecards.csv", headers=_h(admin_token)).text
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_the_last_scorecard_sends_a_signed_webhook(env: Env, reviewed: dict[str, Any]) -> None:
    got: list[tuple[dict[str, str], bytes]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env.app.state.settings = env.settings.model_copy(
            update={
                "webhook_url": f"http://127.0.0.1:{server.server_port}/hook",
                "webhook_secret": "s3cret",
            }
        )
        sid = reviewed["sid"]
        env.client.post(f"/api/submissions/{sid}/scorecard", headers=_h(reviewed["a"]), json=GOOD)
        assert got == []  # one of two: no event
        env.client.post(f"/api/submissions/{sid}/scorecard", headers=_h(reviewed["b"]), json=GOOD)
    finally:
        server.shutdown()
    ((headers, body),) = got
    assert headers["X-Harness-Event"] == "review.scorecards_complete"
    assert headers["X-Harness-Signature"] == sign("s3cret", body)
    data = json.loads(body)["data"]
    assert (
        data["submission_id"] == sid
        and data["scorecards"] == 2
        and data["needs_reconciliation"] is False
    )


def test_every_review_route_is_in_the_openapi_schema_or_a_page(env: Env) -> None:
    schema = env.client.get("/openapi.json").json()
    review_paths = {
        r.path
        for r in route_table(env.app)
        if r.path.startswith("/api/")
        and (
            "review" in r.path
            or "scorecard" in r.path
            or "findings" in r.path
            or "conflict" in r.path
        )
    }
    assert review_paths and review_paths <= set(schema["paths"])
    assert schema["paths"]["/api/scorecards/{scorecard_id}"]["get"]["description"]


def test_pages_flow_with_forms(env: Env, reviewed: dict[str, Any]) -> None:
    sid = reviewed["sid"]
    a = env.fresh_client()
    login(a, "a@example.com")
    page = a.get(f"/submissions/{sid}/review")
    assert page.status_code == 200 and 'data-testid="scorecard-form"' in page.text
    assert "Sharp framing." in page.text  # anchored levels on the form
    token = csrf_from(page.text)
    bad = a.post(
        f"/submissions/{sid}/scorecard",
        data={"csrf_token": token, "rating_framing": "3", "recommendation": "hold"},
    )
    assert bad.status_code == 422 and "Evaluation rigour" in bad.text
    ok = a.post(
        f"/submissions/{sid}/scorecard",
        data={
            "csrf_token": token,
            "rating_framing": "3",
            "rating_evaluation": "2",
            "recommendation": "hold",
            "comments": "<b>x</b>",
        },
    )
    assert ok.status_code == 303
    after = a.get(f"/submissions/{sid}/review").text
    assert "&lt;b&gt;x&lt;/b&gt;" in after and 'data-testid="scorecard-form"' not in after
    assert a.get("/review").status_code == 200
    report = a.get(f"/submissions/{sid}").text
    assert "/findings/feedback" in report and 'data-testid="decision-blocked"' in report


def test_new_pages_need_csrf(env: Env, reviewed: dict[str, Any]) -> None:
    sid = reviewed["sid"]
    a = env.fresh_client()
    login(a, "a@example.com")
    for path, data in (
        (
            f"/submissions/{sid}/scorecard",
            {"rating_framing": "1", "rating_evaluation": "1", "recommendation": "reject"},
        ),
        (
            f"/submissions/{sid}/findings/feedback",
            {"grader": "quality", "index": "0", "verdict": "confirmed"},
        ),
        ("/review/conflicts", {"email": "@x.example"}),
        (f"/submissions/{sid}/scorecards/claim", {}),
    ):
        assert a.post(path, data=data).status_code == 403, path
    view = env.client.get(f"/api/submissions/{sid}/review", headers=_h(reviewed["a"])).json()
    assert view["my_scorecard"]["status"] == "assigned"


def test_an_admin_starts_a_review_by_hand(env: Env, reviewed: dict[str, Any]) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Late", email="late@later.example")
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
        admin_token = create_token(s, ReviewerRepository(s).by_email(env.admin_email))  # type: ignore[arg-type]
        make_reviewer(s, "extra@example.com", role=Role.reviewer)
    r = env.client.post(f"/api/submissions/{sub.id}/review/start", headers=_h(admin_token))
    assert r.status_code == 201 and len(r.json()) == 2 and all(x["ratings"] == {} for x in r.json())
    with env.db.session(write=True) as s:
        inv2, _ = make_invitation(s, name="Q", email="q@x.example")
        queued = make_submission(s, env.settings, inv2, status=SubmissionStatus.queued)
    refused = env.client.post(f"/api/submissions/{queued.id}/review/start", headers=_h(admin_token))
    assert refused.status_code == 409 and "not graded" in refused.json()["detail"]
