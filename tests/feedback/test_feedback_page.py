"""The candidate's feedback page: only after a final decision and when the policy allows; what
went well and what to improve; never held-out ids or labels, per-ticket predictions or another
candidate's data (the rendered page is grepped for them)."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

from graders.types import Finding, Severity
from harness.assignments.heldout import scrub
from tests.api.fixtures import csrf_from, login
from tests.db.factories import LABELS, make_assignment_dir, make_report
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401
from tests.privacy.world import grade

HELD_OUT = [(f"HX-{i:04d}", LABELS[i % len(LABELS)]) for i in range(1, 41)]


def _assignment(t: Clocked, *, feedback: bool = True, show_scores: bool = False) -> Path:
    folder = make_assignment_dir(t.settings.assignments_dir, feedback=feedback, show_scores=show_scores)
    with (folder / "private" / "heldout_features.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "subject", "body"])
        w.writerows([i, "subject", "a ticket"] for i, _ in HELD_OUT)
    with (folder / "private" / "heldout_labels.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label"])
        w.writerows(HELD_OUT)
    return folder


def _dangerous_report(t: Clocked, sid: int) -> None:
    """A report whose reviewer-facing parts name held-out tickets and their labels."""
    report = make_report(score=62.0)
    accuracy = report.grader("accuracy")
    quality = report.grader("quality")
    assert accuracy is not None and quality is not None
    accuracy.findings += [
        Finding(rule="accuracy:invalid-predictions", severity=Severity.error,
                message="Predictions cannot be scored: missing ids HX-0001, HX-0002"),
        Finding(rule="accuracy:class-below-baseline", severity=Severity.info,
                message=f"F1 on '{LABELS[3]}' is 0.41, below the baseline's 0.70."),
        Finding(rule="accuracy:classes-never-predicted", severity=Severity.warning,
                message=f"2 classes are never predicted: {LABELS[5]}, {LABELS[6]}."),
    ]
    quality.findings.append(Finding(rule="quality:E501", message="line too long", file="HX-0003.py", line=4))
    report.stages[2].log_tail = "predicted HX-0004,billing\nHX-0005,refund"
    from harness.reports.store import store_report
    from harness.submissions.models import Submission, SubmissionStatus

    with t.db.session(write=True) as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        store_report(s, sub, report, artifacts_dir=t.settings.artifacts_dir)
        sub.status, sub.graded_at = SubmissionStatus.graded.value, t.clock.now()


def _candidate(t: Clocked, name: str, email: str) -> tuple[str, int]:
    token = t.invite(name=name, email=email)["token"]
    t.start(token)
    t.clock.advance(timedelta(hours=2))
    sid = int(t.upload(token).json()["id"])
    return token, sid


def _decide(t: Clocked, sid: int, outcome: str) -> None:
    r = t.client.post(f"/api/submissions/{sid}/decision", headers=t.auth(),
                      json={"outcome": outcome, "reason": f"{outcome} after review"})
    assert r.status_code == 201, r.text


def _comment(t: Clocked, sid: int, body: str) -> None:
    reviewer = t.fresh_client()
    login(reviewer, "rev@example.com")
    page = reviewer.get(f"/submissions/{sid}/candidate-feedback")
    assert page.status_code == 200
    r = reviewer.post(f"/submissions/{sid}/candidate-comments",
                      data={"body": body, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303, r.text


def test_feedback_never_names_held_out_tickets_labels_or_other_candidates(clocked: Clocked) -> None:
    t = clocked
    _assignment(t)
    token, sid = _candidate(t, "Ada Quill", "ada@example.com")
    _dangerous_report(t, sid)
    _comment(t, sid, "Strong structure. Have another look at HX-0005 in your error analysis.")
    _, bob_sid = _candidate(t, "Bob Zeller", "bob@example.com")
    grade(t, bob_sid, score=80, marker="BOBZ")
    _comment(t, bob_sid, "BOBZ-only: great tests")
    _decide(t, sid, "reject")
    _decide(t, bob_sid, "advance")

    page = t.client.get(f"/c/{token}/feedback")
    assert page.status_code == 200 and 'data-testid="feedback"' in page.text
    html = page.text
    for ticket, label in HELD_OUT:
        assert ticket not in html, ticket
        assert not re.search(rf"{ticket}\W+{label}", html)
    assert [label for label in LABELS if label in html] == []
    assert "BOBZ" not in html and "Bob Zeller" not in html and "bob@example.com" not in html
    # What it does say: catalog sentences with places in the candidate's own code.
    assert "could not be scored as delivered" in html  # the invalid predictions, without ids
    assert "never predicted" in html  # without naming the queues
    assert "tidy and well organised" in html  # quality scored 80
    assert "train.py, line 1" in html
    assert "[a held-out ticket]" in html and "Strong structure." in html
    assert "Overall score" not in html  # this assignment hides scores
    # The near miss: the reviewers' report of the same upload does name them.
    reviewer = t.fresh_client()
    login(reviewer, "rev@example.com")
    assert "HX-0001" in reviewer.get(f"/submissions/{sid}").text


def test_feedback_waits_for_a_final_decision_and_the_policy(clocked: Clocked) -> None:
    t = clocked
    _assignment(t, feedback=True, show_scores=True)
    token, sid = _candidate(t, "Ada Quill", "ada@example.com")
    grade(t, sid, score=81, marker="ADAQ")
    not_yet = t.client.get(f"/c/{token}/feedback").text
    assert 'data-testid="feedback-not-ready"' in not_yet and "once the hiring team" in not_yet
    assert 'data-testid="feedback-link"' not in t.client.get(f"/c/{token}").text
    _decide(t, sid, "hold")
    assert 'data-testid="feedback-not-ready"' in t.client.get(f"/c/{token}/feedback").text
    _decide(t, sid, "advance")
    ready = t.client.get(f"/c/{token}/feedback").text
    assert 'data-testid="feedback"' in ready and "Overall score: <b>81.0</b>" in ready
    assert 'data-testid="feedback-link"' in t.client.get(f"/c/{token}").text
    # The same candidate, had the assignment not offered feedback.
    _assignment(t, feedback=False)
    off = t.client.get(f"/c/{token}/feedback").text
    assert "does not include written feedback" in off and 'data-testid="feedback"' not in off


def test_withdrawn_comments_leave_the_page_and_comments_need_the_csrf_token(clocked: Clocked) -> None:
    t = clocked
    _assignment(t)
    token, sid = _candidate(t, "Ada Quill", "ada@example.com")
    grade(t, sid, score=70, marker="ADAQ")
    _decide(t, sid, "reject")
    _comment(t, sid, "Your README was a pleasure to read.")
    assert "a pleasure to read" in t.client.get(f"/c/{token}/feedback").text
    reviewer = t.fresh_client()
    login(reviewer, "rev@example.com")
    page = reviewer.get(f"/submissions/{sid}/candidate-feedback")
    assert "The candidate can read this now" in page.text
    forged = reviewer.post(f"/submissions/{sid}/candidate-comments", data={"body": "forged"})
    assert forged.status_code == 403
    empty = reviewer.post(f"/submissions/{sid}/candidate-comments",
                          data={"body": "   ", "csrf_token": csrf_from(page.text)})
    assert empty.status_code == 422
    action = re.search(r'action="(/submissions/\d+/candidate-comments/(\d+)/withdraw)"', page.text)
    assert action
    other = reviewer.post(f"/submissions/{sid}/candidate-comments/{int(action.group(2)) + 99}/withdraw",
                          data={"csrf_token": csrf_from(page.text)})
    assert other.status_code == 404
    done = reviewer.post(action.group(1), data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    html = t.client.get(f"/c/{token}/feedback").text
    assert "a pleasure to read" not in html and "forged" not in html


def test_scrub_replaces_only_whole_held_out_ids() -> None:
    ids = frozenset({"HX-0001", "T-200"})
    assert scrub("see HX-0001, and HX-00012", ids) == "see [a held-out ticket], and HX-00012"
    assert scrub("T-2000 is not T-200", ids) == "T-2000 is not [a held-out ticket]"
