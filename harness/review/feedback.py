"""Reviewers' marks on automated findings: confirmed, wrong or unhelpful, with a reason.

A mark names the finding by its grader and position on the submission's current report and
keeps the finding's rule, place and message as the reviewer saw them, so a regrade does not
change what was judged. Marks are audited and feed each rule's precision on the calibration
page and the CSV export.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.errors import HarnessError, NotFound
from harness.review.models import FindingFeedback, FindingVerdict
from harness.review.schemas import FeedbackOut
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import get_submission

__all__ = ["feedback_out", "mark_finding"]

MAX_REASON = 2_000


def feedback_out(row: FindingFeedback, reviewer: str) -> FeedbackOut:
    return FeedbackOut(
        id=row.id,
        submission_id=row.submission_id,
        report_id=row.report_id,
        grader=row.grader,
        rule=row.rule,
        verdict=row.verdict,
        reason=row.reason,
        reviewer=reviewer,
        created_at=row.created_at,
    )


def mark_finding(
    session: Session,
    submission_id: int,
    reviewer: Reviewer,
    *,
    grader: str,
    index: int,
    verdict: str,
    reason: str,
    now: datetime,
) -> FeedbackOut:
    """Mark finding ``index`` of ``grader`` on the submission's current report."""
    sub = get_submission(session, submission_id)
    try:
        verdict = FindingVerdict(verdict).value
    except ValueError:
        raise HarnessError(
            "the mark must be confirmed, wrong or unhelpful", status_code=422
        ) from None
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise HarnessError(f"the reason is limited to {MAX_REASON} characters", status_code=422)
    if verdict != FindingVerdict.confirmed.value and not reason:
        raise HarnessError("say why the finding is wrong or unhelpful", status_code=422)
    record = SubmissionRepository(session).current_report(sub.id)
    graders = record.body.get("graders", []) if record is not None else []
    result = next((g for g in graders if isinstance(g, dict) and g.get("name") == grader), None)
    findings = result.get("findings", []) if result else []
    if record is None or not 0 <= index < len(findings) or not isinstance(findings[index], dict):
        raise NotFound(f"the current report of submission {sub.id} has no such finding")
    finding = findings[index]
    row = FindingFeedback(
        submission_id=sub.id,
        report_id=record.id,
        reviewer_id=reviewer.id,
        grader=grader,
        grader_version=str(result.get("version", "")) if result else "",
        rule=str(finding.get("rule", ""))[:120],
        finding_index=index,
        file=finding.get("file"),
        line=finding.get("line"),
        message=str(finding.get("message", ""))[:5000],
        verdict=verdict,
        reason=reason,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "finding.feedback",
        actor=reviewer,
        object_type="submission",
        object_id=sub.id,
        rule=row.rule,
        verdict=verdict,
        feedback=row.id,
    )
    return feedback_out(row, reviewer.email)
