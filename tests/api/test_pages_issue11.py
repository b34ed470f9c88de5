"""Reviewer pages that used to mislead (issue 11), checked on the server-rendered HTML; the
browser tests (tests/browser/test_pages_issue11.py) check the same pages drawn at 1366 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from graders.types import GraderResult, GraderStatus
from harness.submissions.models import SubmissionStatus
from harness.submissions.service import record_decision
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_submission

RUN_HTML = "<html><body><p>RUN OUTPUT 0.873</p></body></html>"
SAVED_HTML = "<html><body><p>SAVED OUTPUT In [ ]</p></body></html>"


def notebook_report():  # type: ignore[no-untyped-def]
    """A report whose notebooks grader rendered the notebook as submitted and as it ran."""
    report = make_report(notebook_html=None)
    nb = GraderResult(
        name="notebooks",
        version="1.2.0",
        status=GraderStatus.ok,
        score=None,
        summary="1 notebook.",
        artifacts={"notebook:analysis.ipynb": SAVED_HTML, "notebook-run:analysis.ipynb": RUN_HTML},
    )
    return report.model_copy(update={"graders": [*report.graders, nb]})


def _signed_in(env: Env) -> None:
    login(env.client, env.reviewer_email)


def test_the_notebook_view_shows_the_graded_run_and_the_submitted_version_on_request(
    env: Env,
) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        sid = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=notebook_report()
        ).id
    _signed_in(env)
    page = env.client.get(f"/submissions/{sid}").text
    frame = re.search(r'<iframe class="notebook" name="([^"]+)"[^>]*src="([^"]+)"', page)
    assert frame is not None and "notebook-run%3Aanalysis.ipynb" in frame.group(2)
    assert "the graded run" in page
    link = re.search(
        r'href="([^"]+)" target="' + frame.group(1) + '" data-testid="notebook-submitted-link"',
        page,
    )
    assert link is not None
    shown = env.client.get(frame.group(2).replace("&amp;", "&")).text
    assert "RUN OUTPUT 0.873" in shown and "SAVED OUTPUT" not in shown
    submitted = env.client.get(link.group(1).replace("&amp;", "&")).text
    assert "SAVED OUTPUT" in submitted
    # Near miss: a notebook the harness did not run is shown as submitted, and says so.
    with env.db.session(write=True) as s:
        inv2, _ = make_invitation(s, name="B", email="b@example.com")
        plain = make_submission(
            s, env.settings, inv2, status=SubmissionStatus.graded, report=make_report()
        ).id
    other = env.client.get(f"/submissions/{plain}").text
    assert "as submitted" in other and "notebook-submitted-link" not in other


def test_the_report_page_refreshes_itself_while_a_regrade_runs(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        sid = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        ).id
    _signed_in(env)
    page = env.client.get(f"/submissions/{sid}").text
    assert (
        'data-status-url="/api/submissions/' in page and 'data-testid="live-refresh" hidden' in page
    )
    r = env.client.post(f"/submissions/{sid}/regrade", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 303
    again = env.client.get(f"/submissions/{sid}").text
    assert 'data-testid="live-refresh" hidden' not in again and "Grading is under way" in again
    status = env.client.get(f"/api/submissions/{sid}/status", headers=env.auth()).json()
    assert status["status"] == "queued" and status["report_id"] is not None


def test_anonymity_labels_agree_on_every_list_after_a_decision(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Noor Named", email="noor@example.com", anonymous=True)
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
        from harness.accounts.repository import ReviewerRepository

        rev = ReviewerRepository(s).by_email(env.reviewer_email)
        assert rev is not None
        record_decision(s, sub.id, rev, "hold", "waiting for the second reviewer")
        sub.status = SubmissionStatus.queued.value  # a regrade after the decision
        waiting = make_invitation(s, name="Anon Still", email="anon@example.com", anonymous=True)[0]
        make_submission(s, env.settings, waiting)
        named_id, anon_id = inv.id, waiting.id
    _signed_in(env)
    dashboard = env.client.get("/").text
    assert "Noor Named" in dashboard and f"Candidate #{named_id}" not in dashboard
    assert dashboard.count("Noor Named") >= 2  # in the queue and in the recent list alike
    assert f"Candidate #{anon_id}" in dashboard and "Anon Still" not in dashboard  # near miss
    listing = env.client.get("/submissions").text
    assert "Noor Named" in listing and "Anon Still" not in listing


def test_the_invite_confirmation_says_for_whom_and_links_can_be_reissued(env: Env) -> None:
    _signed_in(env)
    csrf = csrf_from(env.client.get("/invitations").text)
    made = env.client.post(
        "/invitations",
        data={
            "csrf_token": csrf,
            "assignment": "support-tickets",
            "name": "Ines Invited",
            "email": "Ines@Example.com",
            "anonymous_review": "true",
        },
    )
    assert made.status_code == 201
    assert 'data-testid="invited-name">Ines Invited</b> (ines@example.com)' in made.text
    inv_id = int(re.search(r"Invitation #(\d+) created", made.text).group(1))  # type: ignore[union-attr]
    assert f"reviewers see <b>Candidate #{inv_id}</b>" in made.text
    old = re.search(r'value="(http://testserver/c/[^"]+)"', made.text).group(1)  # type: ignore[union-attr]
    assert env.client.get(old.replace("http://testserver", "")).status_code == 200
    page = env.client.get(f"/invitations/{inv_id}").text
    again = env.client.post(f"/invitations/{inv_id}/link", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 200 and 'data-testid="new-link"' in again.text
    new = re.search(r'value="(http://testserver/c/[^"]+)"', again.text).group(1)  # type: ignore[union-attr]
    assert new != old
    assert env.client.get(old.replace("http://testserver", "")).status_code == 404  # old is dead
    assert env.client.get(new.replace("http://testserver", "")).status_code == 200
    api = env.client.post(f"/api/invitations/{inv_id}/link", headers=env.auth())
    assert api.status_code == 200 and api.json()["link"].startswith("http://testserver/c/")


def test_the_download_is_named_by_the_archive_format(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        sid = make_submission(s, env.settings, inv).id
    _signed_in(env)
    r = env.client.get(f"/submissions/{sid}/download")
    assert r.status_code == 200
    assert f'filename="submission-{sid}-v1.zip"' in r.headers["content-disposition"]
    assert r.headers["content-type"] == "application/octet-stream"  # still never rendered


def test_docs_keep_the_navigation_for_signed_in_reviewers(env: Env) -> None:
    anonymous = env.fresh_client().get("/docs").text
    assert "<nav>" not in anonymous  # public page, no account
    _signed_in(env)
    signed = env.client.get("/docs").text
    assert "<nav>" in signed and 'href="/submissions"' in signed and env.reviewer_email in signed


def test_payroll_sees_payroll_navigation_and_lands_on_payments(env: Env) -> None:
    from harness.accounts.models import Role
    from tests.db.factories import make_reviewer

    with env.db.session(write=True) as s:
        make_reviewer(s, "pay@example.com", role=Role.payroll)
    client = env.fresh_client()
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "email": "pay@example.com",
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/payments"
    nav = client.get("/payments").text.split("</nav>")[0]
    assert 'href="/payments"' in nav and 'href="/submissions"' not in nav


def test_times_are_labelled_by_their_offset_on_the_server() -> None:
    from zoneinfo import ZoneInfo

    from api.templating import local_text

    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert local_text(when, ZoneInfo("Asia/Tokyo")) == "2026-03-02 18:00 UTC+9"
    assert local_text(when, ZoneInfo("Asia/Kolkata")) == "2026-03-02 14:30 UTC+5:30"
    assert local_text(when, ZoneInfo("America/New_York")) == "2026-03-02 04:00 UTC-5"
    assert local_text(when, ZoneInfo("UTC")) == "2026-03-02 09:00 UTC"


def test_the_test_summary_counts_in_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from graders.candidate_tests.grader import _count

    assert _count(1, "test function") == "1 test function"
    assert _count(2, "case") == "2 cases" and _count(0, "file") == "0 files"


def test_the_confusion_matrix_makes_room_for_its_labels() -> None:
    from api.plots import confusion_heatmap

    labels = ["billing", "security_privacy_and_compliance_requests"]
    svg = str(confusion_heatmap(labels, [[5, 1], [2, 7]]))
    width = float(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))  # type: ignore[union-attr]
    # The last column's label, at 45 degrees, runs right of the last column: room is made.
    last_x = float(re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="11" [^>]*rotate', svg)[-1])
    shown = "security_privacy_and_compli…"
    assert width >= last_x + len(shown) * 6.4 * 0.7
    assert (
        "<title>security_privacy_and_compliance_requests</title>" in svg
    )  # the full name on hover
