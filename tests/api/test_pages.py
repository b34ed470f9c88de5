"""Server-rendered pages: sign-in, dashboard, list, report (plots), code browser, forms."""

from __future__ import annotations

import re

from harness.submissions.models import SubmissionStatus
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_submission


def _graded(env: Env, **kw: object) -> int:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Grace Hopper", email="grace@example.com")
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report(**kw)
        )  # type: ignore[arg-type]
        return sub.id


def test_pages_redirect_to_login(env: Env) -> None:
    r = env.client.get("/submissions?status=graded")
    assert (
        r.status_code == 303
        and r.headers["location"] == "/login?next=%2Fsubmissions%3Fstatus%3Dgraded"
    )


def test_login_flow_and_open_redirect_guard(env: Env) -> None:
    page = env.client.get("/login")
    token = csrf_from(page.text)
    bad = env.client.post(
        "/login",
        data={"email": env.reviewer_email, "password": "wrong password", "csrf_token": token},
    )
    assert bad.status_code == 401 and "do not match" in bad.text
    ok = env.client.post(
        "/login",
        data={
            "email": env.reviewer_email,
            "password": "correct horse battery",
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert (
        "harness_session" in ok.headers["set-cookie"]
        and "httponly" in ok.headers["set-cookie"].lower()
    )
    assert env.client.get("/").status_code == 200


def test_report_page_shows_plots_and_sections(env: Env) -> None:
    sid = _graded(env)
    login(env.client, env.reviewer_email)
    r = env.client.get(f"/submissions/{sid}")
    assert r.status_code == 200
    html = r.text
    assert html.count("<svg") >= 4  # confusion, per-class F1, distribution, intervals
    for text in (
        "Confusion matrix",
        "Per-class F1",
        "Bootstrap",
        "Stages",
        "Writeup",
        "Test results",
        "quality:F401",
        "train.py",
    ):
        assert text in html, text
    assert f'src="/submissions/{sid}/notebook?name=notebooks/notebook.html"' in html
    assert "sandbox" in re.search(r"<iframe[^>]*>", html).group(0)  # type: ignore[union-attr]
    nb = env.client.get(f"/submissions/{sid}/notebook", params={"name": "notebooks/notebook.html"})
    assert nb.status_code == 200 and "<h1>Notebook</h1>" in nb.text
    assert (
        "sandbox" in nb.headers["content-security-policy"]
        and "script-src" not in nb.headers["content-security-policy"]
    )
    code = env.client.get(f"/submissions/{sid}/files", params={"path": "train.py"})
    assert code.status_code == 200 and "imported but unused" in code.text and 'id="L1"' in code.text


def test_report_page_shows_the_overall_flags(env: Env) -> None:
    report = make_report()
    report.overall.flags = [
        "The run did not finish: the notebook stopped at cell 6 with NameError: name "
        "'train_labels' is not defined. The overall is capped at 50."
    ]
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Ada Lovelace", email="ada@example.com")
        sid = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=report).id
    login(env.client, env.reviewer_email)
    html = env.client.get(f"/submissions/{sid}").text
    flags = re.findall(r'<p class="message flag" data-testid="overall-flag">(.*?)</p>', html)
    assert len(flags) == 1
    assert "stopped at cell 6 with NameError" in flags[0] and "capped at 50" in flags[0]
    plain = _graded(env)
    assert 'data-testid="overall-flag"' not in env.client.get(f"/submissions/{plain}").text


def test_list_and_dashboard_pages(env: Env) -> None:
    _graded(env, score=55.0)
    login(env.client, env.reviewer_email)
    assert "awaiting review" in env.client.get("/").text
    page = env.client.get("/submissions", params={"status": "graded", "sort": "score"})
    assert page.status_code == 200 and "55.0" in page.text


def test_decision_and_note_forms_need_csrf(env: Env) -> None:
    sid = _graded(env)
    login(env.client, env.reviewer_email)
    page = env.client.get(f"/submissions/{sid}")
    token = csrf_from(page.text)
    no_csrf = env.client.post(f"/submissions/{sid}/notes", data={"body": "hello"})
    assert no_csrf.status_code == 403
    ok = env.client.post(f"/submissions/{sid}/notes", data={"body": "hello", "csrf_token": token})
    assert ok.status_code == 303
    ok = env.client.post(
        f"/submissions/{sid}/decision",
        data={"outcome": "hold", "reason": "need more", "csrf_token": token},
    )
    assert ok.status_code == 303
    page = env.client.get(f"/submissions/{sid}").text
    assert "need more" in page and "Grace Hopper" in page


def test_invitation_page_creates_a_link(env: Env) -> None:
    login(env.client, env.reviewer_email)
    token = csrf_from(env.client.get("/invitations").text)
    r = env.client.post(
        "/invitations",
        data={
            "assignment": "support-tickets",
            "name": "Alan Turing",
            "email": "alan@example.com",
            "anonymous_review": "true",
            "csrf_token": token,
        },
    )
    assert r.status_code == 201
    link = re.search(r'value="(http://testserver/c/[^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    task = env.client.get(link.replace("http://testserver", ""))
    assert task.status_code == 200 and "Build a classifier" in task.text and "Upload" in task.text
    kit = env.client.get(link.replace("http://testserver", "") + "/kit.zip")
    assert kit.status_code == 200 and kit.content[:2] == b"PK"


def test_candidate_form_upload_fallback(env: Env) -> None:
    from tests.db.factories import SAMPLE_FILES, zip_bytes

    r = env.client.post(
        "/api/invitations",
        headers=env.auth(),
        json={"assignment": "support-tickets", "name": "Form User", "email": "f@example.com"},
    )
    token = r.json()["token"]
    page = env.client.get(f"/c/{token}")
    csrf = csrf_from(page.text)
    # The Start button (a form post) starts the clock; uploads are refused before it.
    started = env.client.post(f"/c/{token}/start", data={"csrf_token": csrf})
    assert started.status_code == 303
    r = env.client.post(
        f"/c/{token}/upload",
        data={"csrf_token": csrf},
        files={"file": ("s.zip", zip_bytes(SAMPLE_FILES))},
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/c/{token}/submissions/")
    status = env.client.get(r.headers["location"])
    assert status.status_code == 200 and "queued" in status.text
    bad = env.client.post(
        f"/c/{token}/upload", data={"csrf_token": csrf}, files={"file": ("n.txt", b"nope")}
    )
    assert bad.status_code == 422 and ".zip" in bad.text
    forged = env.client.post(
        f"/c/{token}/upload",
        data={"csrf_token": "forged"},
        files={"file": ("s.zip", zip_bytes(SAMPLE_FILES))},
    )
    assert forged.status_code == 403


def test_docs_page_lists_stable_paths(env: Env) -> None:
    html = env.client.get("/docs").text
    for path in (
        "/healthz",
        "/api/submissions",
        "/api/submissions/{submission_id}",
        "/api/invitations",
        "/api/c/{token}/submissions",
        "/api/c/{token}/submissions/{submission_id}",
    ):
        assert f"<code>{path}</code>" in html, path


def test_scoring_page_documents_every_grader_and_is_linked_from_reports(env: Env) -> None:
    assert env.client.get("/scoring").status_code == 303  # reviewers only
    sid = _graded(env)
    login(env.client, env.reviewer_email)
    report = env.client.get(f"/submissions/{sid}").text
    assert 'href="/scoring"' in report and 'href="/scoring#accuracy"' in report
    page = env.client.get("/scoring")
    assert page.status_code == 200
    html = page.text
    anchors = re.findall(r'<section class="scoring-doc" id="(\w+)">', html)
    assert anchors == ["overall", "accuracy", "tests", "writeup", "quality", "methodology", "serving",
                       "notebooks"]
    # the overall's rules and each grader's own scale are on the one page
    for text in ("capped at", "left out", "Soundness", "Meaningful tests pass", "off-topic"):
        assert text in html, text
    assert 'href="#methodology"' in html and ".md" not in re.sub(r"<code>.*?</code>", "", html)


def test_a_serving_report_shows_latencies_bad_requests_and_the_log_escaped(env: Env) -> None:
    sid = _graded(env, serving=True)
    login(env.client, env.reviewer_email)
    html = env.client.get(f"/submissions/{sid}").text
    assert 'data-testid="serving"' in html and 'aria-label="Request latency histogram"' in html
    assert "single (5)" in html and "concurrent (3)" in html
    table = html.split('data-testid="bad-requests"')[1].split("</table>")[0]
    assert "a body that is not valid JSON" in table and "<code>422</code>" in table
    assert "timeout" in table and "&lt;img src=x onerror=alert(2)&gt;" in table
    log = html.split('data-testid="server-log"')[1].split("</pre>")[0]
    assert "serving on 127.0.0.1:8765" in log and "&lt;script&gt;alert(1)&lt;/script&gt;" in log
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_a_grader_that_does_not_apply_is_said_so_next_to_the_score(env: Env) -> None:
    sid = _graded(env, not_applicable={"serving": "Not applicable: no [serve] in submission.toml."})
    login(env.client, env.reviewer_email)
    html = env.client.get(f"/submissions/{sid}").text
    note = html.split('data-testid="not-applicable"')[1].split("</p>")[0]
    assert "serving</b>: Not applicable: no [serve]" in note and "renormalised" in note
    assert 'data-testid="serving"' not in html  # no serving section without a server


def test_report_page_shows_the_mutation_table_with_survivors_linked_to_the_code(env: Env) -> None:
    report = make_report()
    tests = report.grader("tests")
    assert tests is not None
    tests.metrics.update(mutation_status="measured", mutation_score=0.75, mutation_ci_low=0.5,
                         mutation_ci_high=0.9, mutants_judged=4, mutants_killed=3)
    tests.details["mutation"] = {"status": "measured", "reason": "", "mutants": [
        {"file": "train.py", "line": 3, "operator": "comparison", "change": "`<` → `<=`",
         "status": "survived", "tests": ["tests/test_model.py::test_fit"], "tests_count": 5},
        {"file": "train.py", "line": 4, "operator": "call", "change": "`fit(X)` → `None`",
         "status": "timeout", "tests": ["tests/test_model.py::test_io"], "tests_count": 1},
    ]}
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Ada Lovelace", email="ada@example.com")
        sid = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=report).id
    login(env.client, env.reviewer_email)
    html = env.client.get(f"/submissions/{sid}").text
    section = html[html.index('data-testid="mutation"'):]
    assert "3 of 4" in section and "75%" in section and "50% to 90%" in section
    assert f'href="/submissions/{sid}/files?path=train.py#L3"' in section
    assert "<code>&lt; → &lt;=</code>" in section and "and 4 more" in section and "caught (timeout)" in section
    skipped = make_report()
    skipped_tests = skipped.grader("tests")
    assert skipped_tests is not None
    skipped_tests.details["mutation"] = {"status": "not_applicable", "reason": "nothing to mutate"}
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Alan Turing", email="alan@example.com")
        other = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=skipped).id
    assert "Not applicable: nothing to mutate" in env.client.get(f"/submissions/{other}").text
