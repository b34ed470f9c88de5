"""Decisions from evidence: the review of a submission as one reviewer may see it (the
decision page and ``GET /api/submissions/{id}/review``), and recording a decision, which needs
a complete review and keeps the scorecards and the combined score it rested on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.review_spec import Criterion, ReviewSpec
from harness.audit import service as audit
from harness.errors import HarnessError
from harness.invitations.models import Decision
from harness.invitations.service import candidate_label, identity_hidden
from harness.review import seats as seating
from harness.review.models import (
    DecisionBasis,
    DecisionScorecard,
    Review,
    ReviewStatus,
    Scorecard,
    SeatStatus,
)
from harness.review.repository import ReviewRepository
from harness.review.rules import Combined, combine, consensus_levels, criteria_from, human_score
from harness.review.schemas import (
    AutomatedOut,
    CombinedOut,
    CriterionOut,
    DecisionWithBasis,
    ReviewOut,
)
from harness.review.service import reconciliation_out, scorecard_out
from harness.review.visibility import Sight, sight
from harness.settings import Settings
from harness.submissions import service as submissions
from harness.submissions.models import Submission
from harness.submissions.repository import SubmissionRepository
from harness.submissions.schemas import DecisionOut

__all__ = ["ReviewPage", "decide", "decision_blocked", "review_out", "review_page"]


def _scorecards(n: int) -> str:
    return f"{n} independent scorecard{'' if n == 1 else 's'}"


def _blocked(
    spec: ReviewSpec | None, review: Review | None, seats: Sequence[Scorecard]
) -> str | None:
    """Why a decision cannot be recorded yet (None: it can)."""
    if spec is None and review is None:
        return None
    if review is None:
        return (
            f"this assignment asks for {_scorecards(spec.scorecards if spec else 0)} "
            "and the review has not started (it starts when grading finishes)"
        )
    if review.status == ReviewStatus.open.value:
        done = sum(1 for s in seats if s.status == SeatStatus.submitted.value)
        return f"{done} of {review.required} required scorecards are in; wait for the rest"
    if review.status == ReviewStatus.reconciling.value:
        return (
            "the scorecards disagree: a third reviewer or a recorded discussion must reconcile them"
        )
    return None


def decision_blocked(session: Session, settings: Settings, sub: Submission) -> str | None:
    """Why a decision on ``sub`` cannot be recorded yet (None: it can)."""
    repo = ReviewRepository(session)
    return _blocked(
        seating.review_spec(settings, sub.assignment_name),
        repo.review_of(sub.id),
        repo.seats(sub.id),
    )


def _combined(
    criteria: Sequence[Criterion],
    seats: Sequence[Scorecard],
    automated: float | None,
    spec: ReviewSpec | None,
) -> Combined:
    submitted = [s.ratings for s in seats if s.status == SeatStatus.submitted.value]
    human = human_score(criteria, consensus_levels(criteria, submitted)) if submitted else None
    return combine(automated, human, spec)


@dataclass
class ReviewPage:
    """What the decision page shows."""

    sub: Submission
    label: str
    hidden: bool
    """Anonymous review still hides the candidate."""
    out: ReviewOut
    criteria: list[Criterion]
    sight: Sight
    can_claim: bool
    """The viewer may take an empty seat from here."""


def _automated(session: Session, sub: Submission) -> AutomatedOut:
    record = SubmissionRepository(session).current_report(sub.id)
    if record is None:
        return AutomatedOut(overall=None, graders={}, status=None)
    graders = {
        str(g.get("name")): g.get("score")
        for g in record.body.get("graders", [])
        if isinstance(g, dict)
    }
    return AutomatedOut(overall=record.overall_score, graders=graders, status=record.status)


def _with_bases(repo: ReviewRepository, decisions: Sequence[Decision]) -> list[DecisionWithBasis]:
    bases = repo.bases([d.id for d in decisions])
    out = []
    for d in decisions:
        base = submissions.decision_out(d).model_dump()
        found = bases.get(d.id)
        if found is not None:
            basis, cards = found
            base.update(
                scorecard_ids=sorted(cards),
                combined_score=basis.combined_score,
                recommendation=basis.recommendation,
                override=basis.override,
            )
        out.append(DecisionWithBasis(**base))
    return out


def review_page(
    session: Session, settings: Settings, submission_id: int, viewer: Reviewer
) -> ReviewPage:
    sub = submissions.get_submission(session, submission_id)
    repo = ReviewRepository(session)
    review = repo.review_of(sub.id)
    seats = list(repo.seats(sub.id))
    spec = seating.review_spec(settings, sub.assignment_name)
    criteria = (
        criteria_from(review.criteria_set.criteria)
        if review
        else list(spec.criteria if spec else [])
    )
    view = sight(review, seats, viewer.id)
    automated = _automated(session, sub)
    visible = (
        [s for s in seats if s.status == SeatStatus.submitted.value] if view.sees_others else []
    )
    combined = _combined(criteria, seats, automated.overall, spec) if view.sees_others else None
    reconciliation = repo.reconciliation(sub.id) if review else None
    decisions = list(sub.invitation.decisions) if not view.seat_open else []
    out = ReviewOut(
        submission_id=sub.id,
        status=review.status if review else None,
        required=review.required if review else (spec.scorecards if spec else 0),
        submitted=sum(1 for s in seats if s.status == SeatStatus.submitted.value),
        criteria_version=review.criteria_set.version if review else None,
        criteria=[CriterionOut(**c.model_dump()) for c in criteria],
        blind=not view.sees_others,
        blind_reason=view.reason,
        my_scorecard=scorecard_out(view.my_seat) if view.my_seat else None,
        scorecards=[scorecard_out(s) for s in visible],
        reconciliation=reconciliation_out(reconciliation)
        if reconciliation and view.sees_others
        else None,
        automated=automated,
        combined=CombinedOut(**combined.__dict__) if combined else None,
        decision_blocked=_blocked(spec, review, seats),
        decisions=_with_bases(repo, decisions),
    )
    _, wanted = seating.needed_seats(review, seats) if review else (None, 0)
    return ReviewPage(
        sub=sub,
        label=candidate_label(sub.invitation),
        hidden=identity_hidden(sub.invitation),
        out=out,
        criteria=criteria,
        sight=view,
        can_claim=bool(wanted) and view.my_seat is None,
    )


def review_out(
    session: Session, settings: Settings, submission_id: int, viewer: Reviewer
) -> ReviewOut:
    return review_page(session, settings, submission_id, viewer).out


def _close_for_override(session: Session, review: Review | None, now: datetime) -> None:
    if review is None or review.status in (ReviewStatus.complete.value, ReviewStatus.closed.value):
        return
    seating.withdraw_open_seats(session, review.submission_id, "decided without the review")
    review.status = ReviewStatus.closed.value
    review.completed_at = now


def decide(
    session: Session,
    settings: Settings,
    submission_id: int,
    actor: Reviewer,
    outcome: str,
    reason: str,
    *,
    override: bool = False,
    now: datetime,
) -> DecisionOut:
    """Record advance/hold/reject on the submission's candidate, with the scorecards and the
    combined score it rests on. Refused (409) until the review is complete; an admin may
    override with ``override`` (audited, open seats withdrawn)."""
    sub = submissions.get_submission(session, submission_id)
    repo = ReviewRepository(session)
    review = repo.review_of(sub.id)
    seats = list(repo.seats(sub.id))
    spec = seating.review_spec(settings, sub.assignment_name)
    blocked = _blocked(spec, review, seats)
    if blocked and not override:
        raise HarnessError(f"a decision needs the human review first: {blocked}", status_code=409)
    if blocked and not actor.is_admin:
        raise HarnessError("only admins can decide before the review is complete", status_code=403)
    out = submissions.record_decision(session, sub.id, actor, outcome, reason)
    criteria = criteria_from(review.criteria_set.criteria) if review else []
    combined = _combined(criteria, seats, sub.overall_score, spec)
    rested_on = _record_basis(session, out.id, sub.id, combined, seats, blocked, now)
    if blocked:
        _close_for_override(session, review, now)
        audit.record(
            session,
            "decision.override",
            actor=actor,
            object_type="submission",
            object_id=sub.id,
            blocked=blocked,
            reason=reason[:500],
        )
    audit.record(
        session,
        "decision.basis",
        actor=actor,
        object_type="submission",
        object_id=sub.id,
        decision=out.id,
        scorecards=rested_on,
        combined=combined.score,
        recommendation=combined.recommendation,
    )
    return out


def _record_basis(
    session: Session,
    decision_id: int,
    submission_id: int,
    combined: Combined,
    seats: Sequence[Scorecard],
    blocked: str | None,
    now: datetime,
) -> list[int]:
    """Store what the decision rests on: the combined score and the submitted scorecards.
    Returns the ids of those scorecards."""
    basis = DecisionBasis(
        decision_id=decision_id,
        submission_id=submission_id,
        automated_score=combined.automated,
        human_score=combined.human,
        combined_score=combined.score,
        recommendation=combined.recommendation,
        override=bool(blocked),
        formula=combined.formula[:200],
        created_at=now,
    )
    session.add(basis)
    session.flush()
    rested_on = [s.id for s in seats if s.status == SeatStatus.submitted.value]
    session.add_all(
        DecisionScorecard(decision_basis_id=basis.id, scorecard_id=i) for i in rested_on
    )
    return rested_on
