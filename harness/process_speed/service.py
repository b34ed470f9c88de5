"""Process speed from the database: each candidate's timeline, the team's medians, who is at risk.

The milestones come from rows that already exist: the invitation (invited, started, first
reviewed), its submissions (first upload; the counting version's grading), notes and decisions
(the first of each). ``harness.ledger.process`` does the arithmetic; ``timeline_out`` and
``process_out`` shape it for the API (anonymous review applied by ``candidate_label``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harness.db.engine import Database
from harness.invitations.models import Decision, Invitation
from harness.invitations.service import candidate_label
from harness.ledger.clock import ensure_utc
from harness.ledger.process import (
    Milestone,
    Risk,
    RiskLevel,
    Step,
    StepMedian,
    Timeline,
    at_risk,
    step_durations,
    team_medians,
)
from harness.privacy import anonymous
from harness.privacy.models import AnonymousCandidate
from harness.process_speed.schemas import (
    AtRiskOut,
    MilestoneOut,
    ProcessOut,
    StepMedianOut,
    TimelineOut,
)
from harness.submissions.models import Note, Submission, SubmissionStatus

__all__ = [
    "AtRisk",
    "ProcessOverview",
    "durations",
    "note_first_review",
    "process_out",
    "process_overview",
    "timeline_of",
    "timeline_of_loaded",
    "timeline_out",
    "timelines",
]

_URGENCY = {RiskLevel.overdue: 0, RiskLevel.projected_late: 1, RiskLevel.nearing_target: 2}


def _min(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def timelines(session: Session, invitation_ids: Sequence[int] | None = None) -> dict[int, Timeline]:
    """The timeline of each invitation (all of them, or those in ``invitation_ids``)."""
    inv_q = select(
        Invitation.id,
        Invitation.created_at,
        Invitation.started_at,
        Invitation.first_reviewed_at,
        Invitation.selected_submission_id,
    )
    sub_q = select(
        Submission.invitation_id,
        Submission.id,
        Submission.created_at,
        Submission.graded_at,
        Submission.status,
    ).order_by(Submission.invitation_id, Submission.version)
    note_q = (
        select(Submission.invitation_id, func.min(Note.created_at))
        .join(Note, Note.submission_id == Submission.id)
        .group_by(Submission.invitation_id)
    )
    dec_q = select(Decision.invitation_id, func.min(Decision.created_at)).group_by(
        Decision.invitation_id
    )
    if invitation_ids is not None:
        ids = list(invitation_ids)
        if not ids:
            return {}
        inv_q = inv_q.where(Invitation.id.in_(ids))
        sub_q = sub_q.where(Submission.invitation_id.in_(ids))
        note_q = note_q.where(Submission.invitation_id.in_(ids))
        dec_q = dec_q.where(Decision.invitation_id.in_(ids))
    first_upload: dict[int, datetime] = {}
    graded: dict[int, dict[int, datetime | None]] = {}
    latest: dict[int, int] = {}
    for inv_id, sub_id, created, graded_at, status in session.execute(sub_q):
        first_upload.setdefault(inv_id, created)
        graded.setdefault(inv_id, {})[sub_id] = graded_at
        if status != SubmissionStatus.rejected.value:  # a rejected upload never counts
            latest[inv_id] = sub_id
    notes: dict[int, datetime] = {row[0]: row[1] for row in session.execute(note_q)}
    decisions: dict[int, datetime] = {row[0]: row[1] for row in session.execute(dec_q)}
    out: dict[int, Timeline] = {}
    for inv_id, invited, started, reviewed, selected in session.execute(inv_q):
        counting = selected if selected in graded.get(inv_id, {}) else latest.get(inv_id)
        graded_at = graded.get(inv_id, {}).get(counting) if counting is not None else None
        out[inv_id] = Timeline(
            invited_at=invited,
            started_at=started,
            submitted_at=first_upload.get(inv_id),
            graded_at=graded_at,
            first_reviewed_at=_min(reviewed, notes.get(inv_id), decisions.get(inv_id)),
            decided_at=decisions.get(inv_id),
        )
    return out


def timeline_of(session: Session, invitation_id: int) -> Timeline | None:
    return timelines(session, [invitation_id]).get(invitation_id)


def timeline_of_loaded(
    session: Session, invitation: Invitation, versions: Sequence[Submission]
) -> Timeline:
    """The same timeline as ``timeline_of``, from an invitation whose uploads (``versions``,
    oldest first) and decisions are loaded already (the report page has them): one query, for
    the first note."""
    first_note = session.scalar(
        select(func.min(Note.created_at))
        .join(Submission, Submission.id == Note.submission_id)
        .where(Submission.invitation_id == invitation.id)
    )
    subs = versions
    accepted = [x for x in subs if x.status != SubmissionStatus.rejected.value]
    counting = next(
        (x for x in subs if x.id == invitation.selected_submission_id),
        accepted[-1] if accepted else None,
    )
    decided = min((d.created_at for d in invitation.decisions), default=None)
    return Timeline(
        invited_at=invitation.created_at,
        started_at=invitation.started_at,
        submitted_at=min((x.created_at for x in subs), default=None),
        graded_at=counting.graded_at if counting is not None else None,
        first_reviewed_at=_min(invitation.first_reviewed_at, first_note, decided),
        decided_at=decided,
    )


def note_first_review(db: Database, invitation: Invitation, now: datetime) -> None:
    """A reviewer opened one of the candidate's reports: the ``first reviewed`` milestone.

    Pages are read in read transactions; this one write (done once per candidate) takes its own.
    """
    if invitation.first_reviewed_at is not None:
        return
    with db.session(write=True) as session:
        row = session.get(Invitation, invitation.id)
        if row is not None and row.first_reviewed_at is None:
            row.first_reviewed_at = ensure_utc(now, "now")


@dataclass(frozen=True)
class AtRisk:
    """One candidate flagged on the dashboard."""

    invitation_id: int
    risk: Risk


@dataclass(frozen=True)
class ProcessOverview:
    """What the dashboard shows of the team's process speed."""

    target: timedelta
    medians: dict[Step, StepMedian]
    at_risk: list[AtRisk]
    """Most urgent first: overdue, then projected late, then nearing the target."""
    open_candidates: int
    """Candidates without a decision (revoked invitations left out)."""
    flagged: int
    """How many are flagged in all (``at_risk`` holds the first ``limit``)."""


def _open_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Invitation.id).where(Invitation.revoked_at.is_(None))))


_cache: dict[tuple[str, int, int, int, tuple[object, ...]], ProcessOverview] = {}
_cache_lock = threading.Lock()


def process_overview(
    session: Session, now: datetime, *, target_days: int, limit: int = 50
) -> ProcessOverview:
    """The team's medians over every candidate, and the ``limit`` most urgent flags.

    Over thousands of candidates this costs over 100 ms, so the result is kept for 15 s of the
    clock, unless a milestone was added meanwhile (the fingerprint of the rows changes).
    """
    now = ensure_utc(now, "now")
    key = (
        str(session.get_bind().engine.url),
        target_days,
        limit,
        int(now.timestamp() // 15),
        _fingerprint(session),
    )
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    overview = _compute(session, now, target_days=target_days, limit=limit)
    with _cache_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = overview
    return overview


def _fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever a milestone is recorded: an invitation, a start, a first review, an
    upload, a grading, a note or a decision."""
    row = session.execute(
        select(
            select(func.count(Invitation.id)).scalar_subquery(),
            select(func.max(Invitation.id)).scalar_subquery(),
            select(func.count(Invitation.started_at)).scalar_subquery(),
            select(func.count(Invitation.first_reviewed_at)).scalar_subquery(),
            select(func.max(Invitation.revoked_at)).scalar_subquery(),
            select(func.max(Submission.id)).scalar_subquery(),
            select(func.max(Submission.graded_at)).scalar_subquery(),
            select(func.max(Note.id)).scalar_subquery(),
            select(func.max(Decision.id)).scalar_subquery(),
            select(func.count(AnonymousCandidate.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def _compute(session: Session, now: datetime, *, target_days: int, limit: int) -> ProcessOverview:
    target = timedelta(days=target_days)
    all_timelines = timelines(session)
    # Erased candidates' steps still count: their anonymous timelines keep the durations.
    medians = team_medians([*all_timelines.values(), *anonymous.timelines(session)])
    active = _open_ids(session)
    flagged: list[AtRisk] = []
    undecided = 0
    for inv_id, timeline in all_timelines.items():
        if inv_id not in active or timeline.decided_at is not None:
            continue
        undecided += 1
        risk = at_risk(now, timeline, target, medians=medians)
        if risk is not None:
            flagged.append(AtRisk(inv_id, risk))
    flagged.sort(key=lambda a: (_URGENCY[a.risk.level], -a.risk.elapsed.total_seconds()))
    return ProcessOverview(
        target=target,
        medians=medians,
        at_risk=flagged[:limit],
        open_candidates=undecided,
        flagged=len(flagged),
    )


def durations(timeline: Timeline) -> list[tuple[Step, timedelta]]:
    """Completed steps of one timeline, in process order (for the candidate's page)."""
    done = step_durations(timeline)
    return [(step, done[step]) for step in Step if step in done]


def timeline_out(
    timeline: Timeline | None,
    now: datetime,
    *,
    target_days: int,
    medians: dict[Step, StepMedian] | None = None,
) -> TimelineOut:
    if timeline is None:
        return TimelineOut(milestones=[], steps={}, waiting_for=None, risk=None, risk_message=None)
    risk = at_risk(now, timeline, timedelta(days=target_days), medians=medians)
    return TimelineOut(
        milestones=[MilestoneOut(milestone=m.value, at=timeline.at(m)) for m in Milestone],
        steps={step.value: d.total_seconds() for step, d in durations(timeline)},
        waiting_for=timeline.waiting_for.value if timeline.waiting_for else None,
        risk=risk.level.value if risk else None,
        risk_message=risk.message if risk else None,
    )


def process_out(session: Session, now: datetime, *, target_days: int) -> ProcessOut:
    """The dashboard's process speed: the team's medians and the most urgent flags."""
    overview = process_overview(session, now, target_days=target_days)
    ids = [a.invitation_id for a in overview.at_risk]
    invitations = {
        inv.id: inv for inv in session.scalars(select(Invitation).where(Invitation.id.in_(ids)))
    }
    flagged = []
    for item in overview.at_risk:
        inv = invitations.get(item.invitation_id)
        if inv is None:
            continue
        flagged.append(
            AtRiskOut(
                invitation_id=inv.id,
                candidate=candidate_label(inv),
                assignment=inv.assignment_name,
                level=item.risk.level.value,
                message=item.risk.message,
                elapsed_seconds=item.risk.elapsed.total_seconds(),
                projected_seconds=item.risk.projected.total_seconds()
                if item.risk.projected is not None
                else None,
                waiting_for=item.risk.waiting_for.value,
            )
        )
    return ProcessOut(
        target_days=overview.target // timedelta(days=1),
        medians=[
            StepMedianOut(step=step.value, median_seconds=m.median.total_seconds(), count=m.count)
            for step, m in sorted(overview.medians.items(), key=lambda kv: list(Step).index(kv[0]))
        ],
        at_risk=flagged,
        flagged=overview.flagged,
        open_candidates=overview.open_candidates,
    )
