"""The review queue: the seats a reviewer holds, and the empty seats they may take."""

from __future__ import annotations

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.invitations.service import candidate_label
from harness.review.repository import ReviewRepository
from harness.review.schemas import QueueItem, ReviewQueue
from harness.review.seats import needed_seats
from harness.review.service import scorecard_out
from harness.submissions.repository import SubmissionRepository

__all__ = ["review_queue"]

SCAN = 500
"""Unsettled reviews looked at per request, oldest first."""


def review_queue(session: Session, reviewer: Reviewer, *, limit: int = 50) -> ReviewQueue:
    """The reviewer's open seats, and up to ``limit`` reviews with an empty seat they may take
    (not one they sat on, not a candidate they declared a conflict with)."""
    repo = ReviewRepository(session)
    reviews = repo.unsettled_reviews(SCAN)
    seats = repo.active_seats([r.submission_id for r in reviews])
    subs = SubmissionRepository(session)
    items: list[QueueItem] = []
    for review in reviews:
        mine = seats[review.submission_id]
        if any(s.reviewer_id == reviewer.id for s in mine):
            continue
        kind, wanted = needed_seats(review, list(repo.seats(review.submission_id)))
        if wanted == 0:
            continue
        sub = subs.get(review.submission_id)
        if sub is None or reviewer.id in repo.conflicted_reviewers(repo.candidate_of(sub)):
            continue
        items.append(
            QueueItem(
                submission_id=sub.id,
                assignment=sub.assignment_name,
                candidate=candidate_label(sub.invitation),
                kind=kind.value,
                seats_open=wanted,
                opened_at=review.opened_at,
            )
        )
        if len(items) >= limit:
            break
    return ReviewQueue(mine=[scorecard_out(s) for s in repo.my_open_seats(reviewer.id)], open=items)
