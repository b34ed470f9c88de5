"""Queries on submissions, reports, notes and decisions.

Claiming is a compare-and-set ``UPDATE ... WHERE status = 'queued'``: portable across SQLite and
PostgreSQL, and only one worker's update can match a given row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.orm import Session, defer, joinedload

from harness.invitations.models import Candidate, Decision, Invitation
from harness.submissions.models import (
    Note,
    ReportRecord,
    Submission,
    SubmissionStatus,
)

__all__ = ["Claim", "SubmissionFilter", "SubmissionRepository"]

SORTS = {
    "created": Submission.created_at,
    "score": Submission.overall_score,
    "graded": Submission.graded_at,
    "id": Submission.id,
}

LIST_COLUMNS = (
    Submission.id,
    Submission.invitation_id,
    Submission.version,
    Submission.assignment_name,
    Submission.filename,
    Submission.status,
    Submission.stage,
    Submission.overall_score,
    Submission.accuracy,
    Submission.macro_f1,
    Submission.late,
    Submission.created_at,
    Submission.graded_at,
)
"""What one row of the submissions list shows of a submission."""


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one submission; ``token`` must match to store the outcome."""

    submission_id: int
    token: str
    worker: str
    attempt: int


@dataclass
class SubmissionFilter:
    status: str | None = None
    assignment: str | None = None
    invitation_id: int | None = None
    decision: str | None = None
    """``advance``/``reject``/``hold``, or ``none`` for undecided."""
    sort: str = "created"
    descending: bool = True
    limit: int = 50
    offset: int = 0


class SubmissionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reads ---------------------------------------------------------------------------
    def get(self, submission_id: int) -> Submission | None:
        return self.session.get(Submission, submission_id)

    def get_for_invitation(self, invitation_id: int, submission_id: int) -> Submission | None:
        return self.session.scalar(
            select(Submission).where(
                Submission.id == submission_id, Submission.invitation_id == invitation_id
            )
        )

    def versions_of(self, invitation_id: int) -> Sequence[Submission]:
        """The invitation's uploads, oldest first."""
        return self.session.scalars(
            select(Submission)
            .where(Submission.invitation_id == invitation_id)
            .order_by(Submission.version)
        ).all()

    def version_counts(self, invitation_ids: Sequence[int]) -> dict[int, int]:
        """How many uploads each invitation has (absent: none)."""
        if not invitation_ids:
            return {}
        rows = self.session.execute(
            select(Submission.invitation_id, func.count(Submission.id))
            .where(Submission.invitation_id.in_(invitation_ids))
            .group_by(Submission.invitation_id)
        )
        return {inv_id: count for inv_id, count in rows}

    def latest_id(self, invitation_id: int) -> int | None:
        """The id of the invitation's newest upload that was not rejected (a rejected upload
        never becomes the version that counts)."""
        return self.session.scalar(
            select(Submission.id)
            .where(
                Submission.invitation_id == invitation_id,
                Submission.status != SubmissionStatus.rejected.value,
            )
            .order_by(Submission.version.desc())
            .limit(1)
        )

    def report_count(self, submission_id: int) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(ReportRecord)
                .where(ReportRecord.submission_id == submission_id)
            )
            or 0
        )

    def queued_regrades(self) -> int:
        """Submissions waiting to be graded again (queued, with a report already)."""
        graded_before = select(ReportRecord.submission_id).distinct()
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Submission)
                .where(
                    Submission.status == SubmissionStatus.queued.value,
                    Submission.id.in_(graded_before),
                )
            )
            or 0
        )

    def next_version(self, invitation_id: int) -> int:
        current = self.session.scalar(
            select(func.max(Submission.version)).where(Submission.invitation_id == invitation_id)
        )
        return (current or 0) + 1

    def _filtered(self, query: Select[Any], flt: SubmissionFilter) -> Select[Any]:
        if flt.status:
            query = query.where(Submission.status == flt.status)
        if flt.assignment:
            query = query.where(Submission.assignment_name == flt.assignment)
        if flt.invitation_id:
            query = query.where(Submission.invitation_id == flt.invitation_id)
        if flt.decision:
            latest = self.latest_decision_subquery()
            query = query.outerjoin(latest, latest.c.invitation_id == Submission.invitation_id)
            if flt.decision == "none":
                query = query.where(latest.c.outcome.is_(None))
            else:
                query = query.where(latest.c.outcome == flt.decision)
        return query

    def latest_decision_subquery(self) -> Any:
        newest = (
            select(Decision.invitation_id, func.max(Decision.id).label("decision_id"))
            .group_by(Decision.invitation_id)
            .subquery()
        )
        return (
            select(Decision.invitation_id, Decision.outcome)
            .join(newest, newest.c.decision_id == Decision.id)
            .subquery()
        )

    def search(self, flt: SubmissionFilter) -> tuple[Sequence[Submission], int]:
        """One page of submissions (with invitation and candidate loaded) and the total count."""
        ids, total = self._page_ids(flt)
        if not ids:
            return [], total
        rows = self.session.scalars(
            select(Submission)
            .where(Submission.id.in_(ids))
            .options(joinedload(Submission.invitation).joinedload(Invitation.candidate))
        ).unique()
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in ids], total

    def list_rows(self, flt: SubmissionFilter) -> tuple[Sequence[Any], int]:
        """One page of the submissions list as plain rows (the columns a list shows, with the
        invitation's anonymity and the candidate's name) and the total count. No ORM objects:
        building 150 of them per page was most of the list page's time."""
        ids, total = self._page_ids(flt)
        if not ids:
            return [], total
        rows = self.session.execute(
            select(*LIST_COLUMNS, Invitation.anonymous_review, Candidate.name.label("candidate"))
            .join(Invitation, Invitation.id == Submission.invitation_id)
            .join(Candidate, Candidate.id == Invitation.candidate_id)
            .where(Submission.id.in_(ids))
        ).all()
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in ids], total

    def _page_ids(self, flt: SubmissionFilter) -> tuple[list[int], int]:
        """The ids of one page in order, and the total. Sorting the narrow id column, then
        loading only the page, is much cheaper than sorting whole rows of every submission."""
        column = SORTS.get(flt.sort, Submission.created_at)
        order = column.desc() if flt.descending else column.asc()
        if column.nullable:  # "nulls last" defeats the index, so only where there can be nulls
            order = order.nulls_last()
        page = self._filtered(select(Submission.id), flt).order_by(order, Submission.id.desc())
        ids = list(self.session.scalars(page.limit(flt.limit).offset(flt.offset)))
        total = self.session.scalar(self._filtered(select(func.count(Submission.id)), flt)) or 0
        return ids, total

    def counts_by_status(self) -> dict[str, int]:
        rows = self.session.execute(
            select(Submission.status, func.count()).group_by(Submission.status)
        ).all()
        return {status: count for status, count in rows}

    def latest_outcomes(self, invitation_ids: Sequence[int]) -> dict[int, str]:
        """Outcome of each invitation's latest decision (invitations without one are absent)."""
        if not invitation_ids:
            return {}
        rows = self.session.execute(
            select(Decision.invitation_id, Decision.outcome)
            .where(Decision.invitation_id.in_(invitation_ids))
            .order_by(Decision.id)
        ).all()
        return {invitation_id: outcome for invitation_id, outcome in rows}

    def decisions_for(self, invitation_ids: Sequence[int]) -> dict[int, Decision]:
        """Latest decision of each invitation."""
        if not invitation_ids:
            return {}
        rows = self.session.scalars(
            select(Decision).where(Decision.invitation_id.in_(invitation_ids)).order_by(Decision.id)
        ).all()
        return {d.invitation_id: d for d in rows}

    def current_report(self, submission_id: int) -> ReportRecord | None:
        return self.session.scalar(
            select(ReportRecord).where(
                ReportRecord.submission_id == submission_id, ReportRecord.current.is_(True)
            )
        )

    def report_history(self, submission_id: int) -> Sequence[ReportRecord]:
        """Every report of the submission, newest first; each body is read only when used."""
        return self.session.scalars(
            select(ReportRecord)
            .options(defer(ReportRecord.body))
            .where(ReportRecord.submission_id == submission_id)
            .order_by(ReportRecord.id.desc())
        ).all()

    def assignment_scores(self, assignment: str) -> list[float]:
        """Overall scores of every graded submission of an assignment (for the distribution)."""
        rows = self.session.execute(
            select(Submission.overall_score).where(
                Submission.assignment_name == assignment,
                Submission.overall_score.is_not(None),
            )
        )
        return [row[0] for row in rows if row[0] is not None]

    def timings(self) -> Sequence[Any]:
        """``(status, created_at, graded_at, first decision time)`` rows for the dashboard."""
        first_decision = (
            select(Decision.invitation_id, func.min(Decision.created_at).label("decided_at"))
            .group_by(Decision.invitation_id)
            .subquery()
        )
        return self.session.execute(
            select(
                Submission.status,
                Submission.created_at,
                Submission.graded_at,
                first_decision.c.decided_at,
            ).outerjoin(first_decision, first_decision.c.invitation_id == Submission.invitation_id)
        ).all()

    def search_candidates(self, text: str) -> Sequence[Candidate]:
        return self.session.scalars(
            select(Candidate).where(Candidate.name.ilike(f"%{text}%")).limit(50)
        ).all()

    # --- claiming --------------------------------------------------------------------------
    def claim(self, submission_id: int, worker: str, now: datetime) -> Claim | None:
        """Take a queued submission for ``worker``; None if someone else has it or it is done."""
        token = str(uuid.uuid4())
        result = self.session.execute(
            update(Submission)
            .where(
                Submission.id == submission_id,
                Submission.status == SubmissionStatus.queued.value,
                or_(Submission.not_before.is_(None), Submission.not_before <= now),
            )
            .values(
                status=SubmissionStatus.running.value,
                claim_token=token,
                claimed_by=worker,
                claimed_at=now,
                heartbeat_at=now,
                started_at=now,
                attempts=Submission.attempts + 1,
                stage=None,
                stages={},
                message="",
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        attempt = self.session.scalar(
            select(Submission.attempts).where(Submission.id == submission_id)
        )
        return Claim(submission_id, token, worker, attempt or 1)

    def next_claimable(self, now: datetime, limit: int = 5) -> list[int]:
        """Oldest queued submissions whose back-off has passed (candidates for a claim)."""
        return list(
            self.session.scalars(
                select(Submission.id)
                .where(
                    Submission.status == SubmissionStatus.queued.value,
                    or_(Submission.not_before.is_(None), Submission.not_before <= now),
                )
                .order_by(Submission.created_at, Submission.id)
                .limit(limit)
            )
        )

    def heartbeat(self, claim: Claim, now: datetime, **values: Any) -> bool:
        """Refresh the claim (and write progress); False if the claim was lost."""
        result = self.session.execute(
            update(Submission)
            .where(Submission.id == claim.submission_id, Submission.claim_token == claim.token)
            .values(heartbeat_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    def requeue_stale(self, stale_before: datetime) -> list[int]:
        """Put running submissions whose worker went silent back in the queue."""
        ids = list(
            self.session.scalars(
                select(Submission.id).where(
                    Submission.status == SubmissionStatus.running.value,
                    or_(Submission.heartbeat_at.is_(None), Submission.heartbeat_at < stale_before),
                )
            )
        )
        if ids:
            self.session.execute(
                update(Submission)
                .where(
                    Submission.id.in_(ids),
                    Submission.status == SubmissionStatus.running.value,
                    or_(Submission.heartbeat_at.is_(None), Submission.heartbeat_at < stale_before),
                )
                .values(
                    status=SubmissionStatus.queued.value,
                    claim_token=None,
                    claimed_by=None,
                    stage=None,
                    message="re-queued: its worker stopped answering",
                )
                .execution_options(synchronize_session=False)
            )
        return ids

    def release(self, claim: Claim, **values: Any) -> bool:
        """End a claim with the given column values; False if the claim was already lost."""
        result = self.session.execute(
            update(Submission)
            .where(Submission.id == claim.submission_id, Submission.claim_token == claim.token)
            .values(claim_token=None, **values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    def add(self, obj: Submission | ReportRecord | Note | Decision) -> None:
        self.session.add(obj)

    def unset_current_reports(self, submission_id: int) -> None:
        self.session.execute(
            update(ReportRecord)
            .where(
                and_(ReportRecord.submission_id == submission_id, ReportRecord.current.is_(True))
            )
            .values(current=False)
            .execution_options(synchronize_session=False)
        )
