"""Queries on reviews, scorecards, conflicts, reconciliations and finding feedback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer, Role
from harness.invitations.models import Candidate, Decision, Invitation
from harness.review.models import (
    SETTLED,
    AnonymousFindingMark,
    AnonymousScorecard,
    CriteriaSet,
    DecisionBasis,
    DecisionScorecard,
    FindingFeedback,
    Reconciliation,
    ReconciliationStatus,
    Review,
    ReviewConflict,
    ReviewStatus,
    Scorecard,
    SeatStatus,
)
from harness.submissions.models import Submission

__all__ = ["ReviewRepository"]

ACTIVE = (SeatStatus.assigned.value, SeatStatus.submitted.value)


class ReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- criteria and reviews ---

    def criteria_set(self, assignment: str, version: str) -> CriteriaSet | None:
        return self.session.scalar(
            select(CriteriaSet).where(
                CriteriaSet.assignment_name == assignment, CriteriaSet.version == version
            )
        )

    def criteria_sets(self, assignment: str) -> Sequence[CriteriaSet]:
        return self.session.scalars(
            select(CriteriaSet)
            .where(CriteriaSet.assignment_name == assignment)
            .order_by(CriteriaSet.id)
        ).all()

    def review_of(self, submission_id: int) -> Review | None:
        return self.session.scalar(select(Review).where(Review.submission_id == submission_id))

    def unsettled_reviews_of_invitation(self, invitation_id: int) -> Sequence[Review]:
        return self.session.scalars(
            select(Review)
            .join(Submission, Submission.id == Review.submission_id)
            .where(Submission.invitation_id == invitation_id, Review.status.not_in(SETTLED))
        ).all()

    # --- seats ---

    def seats(self, submission_id: int) -> Sequence[Scorecard]:
        return self.session.scalars(
            select(Scorecard)
            .where(Scorecard.submission_id == submission_id)
            .order_by(Scorecard.seat)
        ).all()

    def scorecard(self, scorecard_id: int) -> Scorecard | None:
        return self.session.get(Scorecard, scorecard_id)

    def open_load(self) -> dict[int, int]:
        """Seats each reviewer holds and has not submitted."""
        rows = self.session.execute(
            select(Scorecard.reviewer_id, func.count())
            .where(Scorecard.status == SeatStatus.assigned.value)
            .group_by(Scorecard.reviewer_id)
        )
        return {rid: n for rid, n in rows}

    def total_load(self) -> dict[int, int]:
        """Seats each reviewer has held (withdrawn ones left out)."""
        rows = self.session.execute(
            select(Scorecard.reviewer_id, func.count())
            .where(Scorecard.status.in_(ACTIVE))
            .group_by(Scorecard.reviewer_id)
        )
        return {rid: n for rid, n in rows}

    def reviewers_for_auto(self) -> Sequence[Reviewer]:
        """Accounts that take automatic assignments: active reviewers (admins pick from the
        queue instead, so the people who decide are not drawn by default)."""
        return self.session.scalars(
            select(Reviewer)
            .where(Reviewer.active.is_(True), Reviewer.role == Role.reviewer.value)
            .order_by(Reviewer.id)
        ).all()

    def my_open_seats(self, reviewer_id: int) -> Sequence[Scorecard]:
        return self.session.scalars(
            select(Scorecard)
            .where(
                Scorecard.reviewer_id == reviewer_id,
                Scorecard.status == SeatStatus.assigned.value,
            )
            .order_by(Scorecard.assigned_at)
        ).all()

    def unsettled_reviews(self, limit: int) -> Sequence[Review]:
        """Reviews still collecting scorecards (open or reconciling), oldest first."""
        return self.session.scalars(
            select(Review)
            .where(Review.status.in_((ReviewStatus.open.value, ReviewStatus.reconciling.value)))
            .order_by(Review.opened_at, Review.id)
            .limit(limit)
        ).all()

    def active_seats(self, submission_ids: Sequence[int]) -> dict[int, list[Scorecard]]:
        """Assigned and submitted seats of these submissions."""
        out: dict[int, list[Scorecard]] = {sid: [] for sid in submission_ids}
        for card in self.session.scalars(
            select(Scorecard).where(
                Scorecard.submission_id.in_(submission_ids), Scorecard.status.in_(ACTIVE)
            )
        ):
            out[card.submission_id].append(card)
        return out

    # --- conflicts ---

    def conflicted_reviewers(self, candidate: Candidate) -> set[int]:
        """Reviewers who declared a conflict with this candidate, their address or domain."""
        email = candidate.email.lower()
        domain = "@" + email.rsplit("@", 1)[-1]
        rows = self.session.scalars(
            select(ReviewConflict.reviewer_id).where(
                or_(
                    ReviewConflict.candidate_id == candidate.id,
                    ReviewConflict.email_pattern.in_((email, domain)),
                )
            )
        )
        return set(rows)

    def conflicts_of(self, reviewer_id: int) -> Sequence[ReviewConflict]:
        return self.session.scalars(
            select(ReviewConflict)
            .where(ReviewConflict.reviewer_id == reviewer_id)
            .order_by(ReviewConflict.id)
        ).all()

    # --- reconciliation and decisions ---

    def reconciliation(self, submission_id: int) -> Reconciliation | None:
        """The latest reconciliation of the submission."""
        return self.session.scalar(
            select(Reconciliation)
            .where(Reconciliation.submission_id == submission_id)
            .order_by(Reconciliation.id.desc())
            .limit(1)
        )

    def open_reconciliation(self, submission_id: int) -> Reconciliation | None:
        found = self.reconciliation(submission_id)
        return found if found and found.status == ReconciliationStatus.open.value else None

    def invitation_decided(self, invitation_id: int) -> bool:
        return (
            self.session.scalar(
                select(Decision.id).where(Decision.invitation_id == invitation_id).limit(1)
            )
            is not None
        )

    def candidate_of(self, submission: Submission) -> Candidate:
        invitation: Invitation = submission.invitation
        return invitation.candidate

    def bases(self, decision_ids: Sequence[int]) -> dict[int, tuple[DecisionBasis, list[int]]]:
        """Per decision: its basis and the scorecards it rested on."""
        if not decision_ids:
            return {}
        out: dict[int, tuple[DecisionBasis, list[int]]] = {
            b.decision_id: (b, [])
            for b in self.session.scalars(
                select(DecisionBasis).where(DecisionBasis.decision_id.in_(decision_ids))
            )
        }
        by_basis = {basis.id: cards for basis, cards in out.values()}
        for basis_id, card_id in self.session.execute(
            select(DecisionScorecard.decision_basis_id, DecisionScorecard.scorecard_id).where(
                DecisionScorecard.decision_basis_id.in_(list(by_basis))
            )
        ):
            by_basis[basis_id].append(card_id)
        return out

    # --- calibration reads ---

    def settled_cards(self, criteria_set_id: int) -> list[Any]:
        """(submission id, reviewer email, ratings, recommendation, human score, automated
        overall, automated graders) of submitted scorecards whose review is settled."""
        rows = self.session.execute(
            select(
                Scorecard.submission_id,
                Reviewer.email,
                Scorecard.ratings,
                Scorecard.recommendation,
                Scorecard.human_score,
                Scorecard.automated_overall,
                Scorecard.automated_graders,
            )
            .join(Reviewer, Reviewer.id == Scorecard.reviewer_id)
            .join(Review, Review.submission_id == Scorecard.submission_id)
            .where(
                Scorecard.criteria_set_id == criteria_set_id,
                Scorecard.status == SeatStatus.submitted.value,
                Review.status.in_(SETTLED),
            )
            .order_by(Scorecard.submission_id, Scorecard.seat)
        )
        return list(rows)

    def fingerprint(self, criteria_set_id: int) -> tuple[object, ...]:
        """Changes whenever calibration's inputs do: submitted scorecards and settled reviews
        only ever grow (both states are final), marks on findings too; counts on indexed
        columns are enough and cheap."""
        cards = self.session.scalar(
            select(func.count()).where(
                Scorecard.criteria_set_id == criteria_set_id,
                Scorecard.status == SeatStatus.submitted.value,
            )
        )
        reviews = self.session.scalar(
            select(func.count()).where(
                Review.criteria_set_id == criteria_set_id, Review.status.in_(SETTLED)
            )
        )
        marks = self.session.scalar(select(func.count()).select_from(FindingFeedback))
        erased = self.session.scalar(
            select(func.count()).where(AnonymousScorecard.criteria_set_id == criteria_set_id)
        )
        erased_marks = self.session.scalar(select(func.count()).select_from(AnonymousFindingMark))
        return (cards, reviews, marks, erased, erased_marks)

    def erased_cards(self, criteria_set_id: int) -> list[Any]:
        """(unit, reviewer email or ``None``, ratings, recommendation, human score, automated
        overall, automated graders) of erased candidates' settled scorecards."""
        rows = self.session.execute(
            select(
                AnonymousScorecard.unit,
                Reviewer.email,
                AnonymousScorecard.ratings,
                AnonymousScorecard.recommendation,
                AnonymousScorecard.human_score,
                AnonymousScorecard.automated_overall,
                AnonymousScorecard.automated_graders,
            )
            .outerjoin(Reviewer, Reviewer.id == AnonymousScorecard.reviewer_id)
            .where(AnonymousScorecard.criteria_set_id == criteria_set_id)
            .order_by(AnonymousScorecard.id)
        )
        return list(rows)

    def feedback_marks(self) -> list[tuple[str, str]]:
        """(rule, verdict) of every mark on a finding, erased candidates' included."""
        live = self.session.execute(select(FindingFeedback.rule, FindingFeedback.verdict))
        erased = self.session.execute(
            select(AnonymousFindingMark.rule, AnonymousFindingMark.verdict)
        )
        return [(rule, verdict) for rule, verdict in [*live, *erased]]

    def feedback(self, *, since: datetime | None = None) -> Sequence[FindingFeedback]:
        query = select(FindingFeedback).order_by(FindingFeedback.id)
        if since is not None:
            query = query.where(FindingFeedback.created_at >= since)
        return self.session.scalars(query).all()

    def scorecards_for_export(self, assignment: str | None) -> Sequence[Scorecard]:
        query = (
            select(Scorecard)
            .where(Scorecard.status == SeatStatus.submitted.value)
            .order_by(Scorecard.submission_id, Scorecard.seat)
        )
        if assignment:
            query = query.where(Scorecard.assignment_name == assignment)
        return self.session.scalars(query).all()

    def settled_submission_ids(self, submission_ids: Sequence[int]) -> set[int]:
        rows = self.session.scalars(
            select(Review.submission_id).where(
                Review.submission_id.in_(submission_ids), Review.status.in_(SETTLED)
            )
        )
        return set(rows)
