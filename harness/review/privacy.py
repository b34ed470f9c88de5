"""The candidate data of human review: the seats and scorecards on the candidate's uploads,
reconciliations, what decisions rested on, marks on their findings, and reviewers' declared
conflicts naming the candidate.

An erasure keeps the agreement figures: each settled scorecard leaves an
:class:`AnonymousScorecard` (levels, recommendation, scores; never the comments, the upload or
a date) grouped by a random unit per upload, and each mark on a finding leaves its rule and
verdict (:class:`AnonymousFindingMark`). The criteria sets hold no candidate data and stay.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from harness.audit import service as audit
from harness.invitations.models import Candidate
from harness.privacy.holders import Drafts, ExportPart, FileSink, Holder, Subject, affected
from harness.review.models import (
    SETTLED,
    AnonymousFindingMark,
    AnonymousScorecard,
    DecisionBasis,
    DecisionScorecard,
    FindingFeedback,
    Reconciliation,
    Review,
    ReviewConflict,
    Scorecard,
    SeatStatus,
)
from harness.settings import Settings
from harness.submissions.models import Submission

__all__ = ["REVIEW", "ReviewData", "purge_finding_copies"]


def _of(session: Session, model: Any, submission_ids: Collection[int]) -> list[Any]:
    if not submission_ids:
        return []
    return list(
        session.scalars(
            select(model).where(model.submission_id.in_(submission_ids)).order_by(model.id)
        )
    )


def _conflicts(session: Session, candidate_ids: Collection[int]) -> list[ReviewConflict]:
    """Conflicts naming a removed candidate, by id or by their exact address (a domain pattern
    names no one and stays)."""
    if not candidate_ids:
        return []
    emails = set(
        session.scalars(select(Candidate.email).where(Candidate.id.in_(candidate_ids)))
    )
    return list(
        session.scalars(
            select(ReviewConflict).where(
                or_(
                    ReviewConflict.candidate_id.in_(candidate_ids),
                    ReviewConflict.email_pattern.in_(emails or {""}),
                )
            )
        )
    )


def _scorecard(card: Scorecard) -> dict[str, Any]:
    """A submitted scorecard as the candidate receives it: the reviewer by seat, not by name."""
    return {
        "submission_id": card.submission_id,
        "reviewer": f"reviewer {card.seat}",
        "kind": card.kind,
        "ratings": dict(card.ratings or {}),
        "recommendation": card.recommendation,
        "comments": card.comments,
        "human_score": card.human_score,
        "submitted_at": card.submitted_at.isoformat() if card.submitted_at else None,
    }


class ReviewData(Holder):
    name = "review"
    tables = frozenset(
        {
            "reviews",
            "scorecards",
            "review_reconciliations",
            "decision_bases",
            "decision_scorecards",
            "finding_feedback",
            "review_conflicts",
        }
    )

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        ids = subject.submission_ids
        cards = [
            c for c in _of(session, Scorecard, ids) if c.status == SeatStatus.submitted.value
        ]
        return ExportPart(
            records={
                "reviews": [
                    {
                        "submission_id": r.submission_id,
                        "status": r.status,
                        "opened_at": r.opened_at.isoformat(),
                        "completed_at": r.completed_at.isoformat() if r.completed_at else None,
                    }
                    for r in _of(session, Review, ids)
                ],
                "scorecards": [_scorecard(c) for c in cards],
                "reconciliations": [
                    {
                        "submission_id": r.submission_id,
                        "status": r.status,
                        "reasons": list(r.reasons or []),
                        "method": r.method,
                        "note": r.note,
                        "agreed_recommendation": r.agreed_recommendation,
                    }
                    for r in _of(session, Reconciliation, ids)
                ],
                "decision_bases": [
                    {
                        "submission_id": b.submission_id,
                        "automated_score": b.automated_score,
                        "human_score": b.human_score,
                        "combined_score": b.combined_score,
                        "recommendation": b.recommendation,
                        "formula": b.formula,
                        "created_at": b.created_at.isoformat(),
                    }
                    for b in _of(session, DecisionBasis, ids)
                ],
                "finding_marks": [
                    {
                        "submission_id": m.submission_id,
                        "grader": m.grader,
                        "rule": m.rule,
                        "message": m.message,
                        "verdict": m.verdict,
                        "reason": m.reason,
                    }
                    for m in _of(session, FindingFeedback, ids)
                ],
            }
        )

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        ids = subject.submission_ids
        settled = {r.submission_id for r in _of(session, Review, ids) if r.status in SETTLED}
        units: dict[int, str] = {}
        for card in _of(session, Scorecard, settled):
            if card.status != SeatStatus.submitted.value:
                continue
            drafts.other.append(
                AnonymousScorecard(
                    unit=units.setdefault(card.submission_id, secrets.token_hex(8)),
                    assignment_name=card.assignment_name,
                    criteria_set_id=card.criteria_set_id,
                    reviewer_id=card.reviewer_id,
                    kind=card.kind,
                    ratings=dict(card.ratings or {}),
                    recommendation=card.recommendation,
                    human_score=card.human_score,
                    automated_overall=card.automated_overall,
                    automated_graders=dict(card.automated_graders or {}),
                )
            )
        for mark in _of(session, FindingFeedback, ids):
            drafts.other.append(
                AnonymousFindingMark(grader=mark.grader, rule=mark.rule, verdict=mark.verdict)
            )

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        ids = subject.submission_ids
        conflicts = _conflicts(session, subject.candidate_ids)
        named = {c.email_pattern for c in conflicts if c.email_pattern}
        touched = affected(
            session, delete(ReviewConflict).where(ReviewConflict.id.in_([c.id for c in conflicts]))
        )
        # The declaration's audit event named the address: its detail goes, the event stays.
        touched += audit.redact_naming(session, "review.conflict", "pattern", named)
        if not ids:
            return touched
        bases = select(DecisionBasis.id).where(DecisionBasis.submission_id.in_(ids))
        statements = (
            delete(DecisionScorecard).where(DecisionScorecard.decision_basis_id.in_(bases)),
            delete(DecisionBasis).where(DecisionBasis.submission_id.in_(ids)),
            delete(FindingFeedback).where(FindingFeedback.submission_id.in_(ids)),
            delete(Scorecard).where(Scorecard.submission_id.in_(ids)),
            delete(Reconciliation).where(Reconciliation.submission_id.in_(ids)),
            delete(Review).where(Review.submission_id.in_(ids)),
        )
        for statement in statements:
            touched += affected(session, statement)
        return touched


REVIEW = ReviewData()


def purge_finding_copies(session: Session, invitation_ids: Collection[int]) -> int:
    """When a report's findings expire (``reports_days``), the copies reviewers' marks keep of
    them go too: the message, file and line (the rule, the verdict and the reviewer's reason
    stay, for the rule precision figures). Returns how many marks changed."""
    if not invitation_ids:
        return 0
    subs = select(Submission.id).where(Submission.invitation_id.in_(invitation_ids))
    return affected(
        session,
        update(FindingFeedback)
        .where(FindingFeedback.submission_id.in_(subs), FindingFeedback.message != "")
        .values(message="", file=None, line=None),
    )

