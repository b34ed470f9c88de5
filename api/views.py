"""Building API/page views of rows: the one place where anonymous review is applied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.invitations.models import Invitation
from harness.invitations.schemas import InvitationOut
from harness.invitations.service import candidate_label, identity_hidden
from harness.submissions.models import Decision, ReportRecord, Submission
from harness.submissions.schemas import (
    CandidateSubmission,
    DecisionOut,
    NoteOut,
    ReportOut,
    StageProgress,
    SubmissionDetail,
    SubmissionSummary,
)
from harness.submissions.service import counting_submission_id

__all__ = ["candidate_view", "detail", "invitation_view", "summary"]


def _stages(raw: dict[str, Any] | None) -> dict[str, StageProgress]:
    out = {}
    for name, entry in (raw or {}).items():
        if isinstance(entry, dict):
            out[str(name)] = StageProgress(
                state=str(entry.get("state", "")),
                verdict=entry.get("verdict"),
                message=str(entry.get("message", "")),
            )
    return out


def summary(sub: Submission, decision: Decision | None) -> SubmissionSummary:
    return SubmissionSummary(
        id=sub.id,
        invitation_id=sub.invitation_id,
        version=sub.version,
        assignment=sub.assignment_name,
        # ``decision`` is the latest decision, loaded in bulk for lists: anonymous review ends
        # with the first decision, so its presence is all the label needs.
        candidate=f"Candidate #{sub.invitation_id}"
        if sub.invitation.anonymous_review and decision is None
        else sub.invitation.candidate.name,
        filename=sub.filename,
        status=sub.status,
        stage=sub.stage,
        overall_score=sub.overall_score,
        accuracy=sub.accuracy,
        macro_f1=sub.macro_f1,
        late=sub.late,
        created_at=sub.created_at,
        graded_at=sub.graded_at,
        decision=decision.outcome if decision else None,
    )


def detail(
    sub: Submission, report: ReportRecord | None, history: Sequence[ReportRecord]
) -> SubmissionDetail:
    inv = sub.invitation
    decisions = list(inv.decisions)
    latest = decisions[-1] if decisions else None
    base = summary(sub, latest)
    return SubmissionDetail(
        **base.model_dump(),
        email=None if identity_hidden(inv) else inv.candidate.email,
        sha256=sub.sha256,
        size_bytes=sub.size_bytes,
        message=sub.message,
        stages=_stages(sub.stages),
        attempts=sub.attempts,
        reported_hours=sub.reported_hours,
        counts=counting_submission_id(inv) == sub.id,
        report=report.body if report else None,
        reports=[
            ReportOut(
                id=r.id,
                current=r.current,
                status=r.status,
                overall_score=r.overall_score,
                grader_versions=r.grader_versions,
                created_at=r.created_at,
            )
            for r in history
        ],
        notes=[
            NoteOut(id=n.id, author=n.reviewer.email, body=n.body, created_at=n.created_at)
            for n in sub.notes
        ],
        decisions=[
            DecisionOut(
                id=d.id,
                outcome=d.outcome,
                reason=d.reason,
                reviewer=d.reviewer.email,
                submission_id=d.submission_id,
                created_at=d.created_at,
            )
            for d in decisions
        ],
    )


def candidate_view(sub: Submission, *, show_scores: bool) -> CandidateSubmission:
    return CandidateSubmission(
        id=sub.id,
        version=sub.version,
        filename=sub.filename,
        status=sub.status,
        stage=sub.stage,
        stages=_stages(sub.stages),
        message=sub.message,
        late=sub.late,
        created_at=sub.created_at,
        graded_at=sub.graded_at,
        overall_score=sub.overall_score if show_scores else None,
    )


def invitation_view(inv: Invitation) -> InvitationOut:
    hidden = identity_hidden(inv)
    return InvitationOut(
        id=inv.id,
        assignment=inv.assignment_name,
        assignment_version=inv.assignment_version,
        candidate=candidate_label(inv),
        email=None if hidden else inv.candidate.email,
        created_at=inv.created_at,
        revoked=inv.revoked_at is not None,
        submissions=len(inv.submissions),
        decision=inv.decisions[-1].outcome if inv.decisions else None,
    )
