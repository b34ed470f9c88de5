"""Blind review: who may see a submission's scorecards and its decision.

- A reviewer holding a seat sees the other scorecards (and the decision) only once their own
  scorecard is submitted. One who withdrew for a conflict never does.
- Anyone without a seat sees them once the review is settled (complete, or closed), never
  while reviewers are still scoring: they could still take a seat from the queue.
- A reviewer whose seat is open sees neither the decision nor other reviewers' notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.review.models import SETTLED, Review, Scorecard, SeatStatus

__all__ = ["Sight", "has_open_seat", "sight"]

CONFLICT = "conflict"
"""Prefix of ``withdrawn_reason`` for seats given up for a declared conflict."""


@dataclass(frozen=True)
class Sight:
    """What one reviewer may see of one submission's review."""

    sees_others: bool
    """Other reviewers' scorecards, the combined score and the decision."""
    my_seat: Scorecard | None
    reason: str
    """Why not, in words; empty when they may."""

    @property
    def seat_open(self) -> bool:
        return self.my_seat is not None and self.my_seat.status == SeatStatus.assigned.value


def sight(review: Review | None, seats: Sequence[Scorecard], viewer_id: int) -> Sight:
    if review is None:
        return Sight(True, None, "")
    mine = next((s for s in seats if s.reviewer_id == viewer_id), None)
    if mine is not None and mine.status == SeatStatus.submitted.value:
        return Sight(True, mine, "")
    if mine is not None and mine.status == SeatStatus.assigned.value:
        return Sight(
            False,
            mine,
            "You are reviewing this submission: other scorecards, notes and the decision stay "
            "hidden until you submit your own scorecard.",
        )
    if mine is not None and (mine.withdrawn_reason or "").startswith(CONFLICT):
        return Sight(False, mine, "You declared a conflict with this candidate.")
    if review.status in SETTLED:
        return Sight(True, mine, "")
    return Sight(
        False,
        mine,
        "Reviewers are still scoring this submission: scorecards show once every required one "
        "is in and any disagreement is reconciled.",
    )


def has_open_seat(session: Session, submission_id: int, viewer_id: int) -> bool:
    """Whether ``viewer_id`` holds a seat on the submission and has not submitted it."""
    status = session.scalar(
        select(Scorecard.status).where(
            Scorecard.submission_id == submission_id, Scorecard.reviewer_id == viewer_id
        )
    )
    return status == SeatStatus.assigned.value
