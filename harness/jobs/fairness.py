"""Fair order of the queue: a burst of uploads from one candidate or one assignment cannot
starve the others.

Two-level round robin, recomputed from the database each time (no scheduler state to lose):

- within an assignment, an invitation's k-th waiting job gets rank ``busy(invitation) + k``,
  so each candidate gets one turn per round, whatever they uploaded;
- the assignment's jobs, in that order, take positions 0, 1, 2 ...; across assignments a job's
  rank is ``busy(assignment) + position``, so each assignment (hiring team) gets one turn per
  round too.

Jobs already running (or handed to the broker) count as ``busy``, so a candidate whose job is
being graded waits behind someone who has none. Ties go to the oldest upload.

Example: candidate A uploads 40 times, then B once, both for assignment X; then C once for Y.
With one free slot the order is A1, C1, B1, A2, A3, ...: B and C wait behind two jobs, not 40.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from harness.submissions.models import Submission, SubmissionStatus

__all__ = ["QueuedJob", "fair_claimable", "fair_order"]


@dataclass(frozen=True)
class QueuedJob:
    """A waiting submission, as the scheduler sees it."""

    id: int
    assignment: str
    invitation_id: int
    created_at: datetime


def fair_order(
    queued: Iterable[QueuedJob],
    busy_assignments: Counter[str] | None = None,
    busy_invitations: Counter[int] | None = None,
) -> list[int]:
    """Ids of ``queued`` in the order they should be graded (see the module docstring)."""
    busy_assignments = busy_assignments or Counter()
    busy_invitations = busy_invitations or Counter()
    by_assignment: dict[str, list[QueuedJob]] = {}
    for job in sorted(queued, key=lambda j: (j.created_at, j.id)):
        by_assignment.setdefault(job.assignment, []).append(job)
    keyed: list[tuple[int, datetime, int]] = []
    for assignment, jobs in by_assignment.items():
        seen: Counter[int] = Counter()
        ranked = []
        for job in jobs:  # oldest first, so the k-th job of an invitation gets k
            ranked.append((busy_invitations[job.invitation_id] + seen[job.invitation_id], job))
            seen[job.invitation_id] += 1
        ranked.sort(key=lambda r: (r[0], r[1].created_at, r[1].id))
        for position, (_, job) in enumerate(ranked):
            keyed.append((busy_assignments[assignment] + position, job.created_at, job.id))
    keyed.sort()
    return [job_id for _, _, job_id in keyed]


def fair_claimable(
    session: Session, now: datetime, *, limit: int, handed_out: Sequence[int] = ()
) -> list[int]:
    """The next ``limit`` claimable submissions (queued, back-off over) in fair order.

    ``handed_out`` are queued jobs already given to workers (published to the broker but not
    claimed yet): they are left out and count as busy.
    """
    if limit <= 0:
        return []
    # A job preceded by ``limit`` jobs of its own invitation cannot be among the first ``limit``
    # (its assignment's order puts them all before it), so the query stops there: the rows read
    # grow with the number of waiting candidates, not with the size of a burst.
    rank = (
        func.row_number()
        .over(
            partition_by=Submission.invitation_id,
            order_by=(Submission.created_at, Submission.id),
        )
        .label("rank")
    )
    waiting = (
        select(
            Submission.id,
            Submission.assignment_name,
            Submission.invitation_id,
            Submission.created_at,
            rank,
        )
        .where(
            Submission.status == SubmissionStatus.queued.value,
            or_(Submission.not_before.is_(None), Submission.not_before <= now),
        )
        .subquery()
    )
    rows = session.execute(
        select(
            waiting.c.id, waiting.c.assignment_name, waiting.c.invitation_id, waiting.c.created_at
        ).where(waiting.c.rank <= limit + len(handed_out))
    ).all()
    busy_assignments: Counter[str] = Counter()
    busy_invitations: Counter[int] = Counter()
    running = session.execute(
        select(Submission.assignment_name, Submission.invitation_id, func.count())
        .where(Submission.status == SubmissionStatus.running.value)
        .group_by(Submission.assignment_name, Submission.invitation_id)
    ).all()
    for assignment, invitation_id, count in running:
        busy_assignments[assignment] += count
        busy_invitations[invitation_id] += count
    skip = set(handed_out)
    queued: list[QueuedJob] = []
    for job_id, assignment, invitation_id, created_at in rows:
        if job_id in skip:
            busy_assignments[assignment] += 1
            busy_invitations[invitation_id] += 1
        else:
            queued.append(QueuedJob(job_id, assignment, invitation_id, created_at))
    return fair_order(queued, busy_assignments, busy_invitations)[:limit]
