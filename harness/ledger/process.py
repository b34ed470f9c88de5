"""Process speed: each candidate's timeline, the team's median per step, and who is at risk.

The hiring team's target is a time from invitation to decision (``Settings.process_target_days``,
14 days by default). A candidate without a decision is flagged, most urgent first:

- ``overdue``: more time than the target has passed since the invitation;
- ``projected_late``: the time so far plus the team's median for each step still ahead (less
  what the current step has already taken) passes the target. Needs the team's medians;
- ``nearing_target``: at least ``warn_fraction`` (75 %) of the target has passed, whatever the
  projection says, because medians of a small team are a weak forecast.

A candidate whose window to start expired unused stays flagged until someone records a decision:
closing the loop (a "no" to a candidate who never started) is part of the process too.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from harness.ledger.clock import ensure_utc

__all__ = [
    "STEPS",
    "Milestone",
    "Risk",
    "RiskLevel",
    "Step",
    "StepMedian",
    "Timeline",
    "at_risk",
    "step_durations",
    "team_medians",
]


class Milestone(StrEnum):
    invited = "invited"
    started = "started"
    submitted = "submitted"
    """The first upload."""
    graded = "graded"
    """The first report of the submission that counts."""
    first_reviewed = "first_reviewed"
    """A reviewer first opened the report (or left a note)."""
    decided = "decided"
    """A decision (advance, reject, hold) was recorded."""


class Step(StrEnum):
    start = "start"
    """Invited to started."""
    work = "work"
    """Started to submitted."""
    grading = "grading"
    """Submitted to graded."""
    review = "review"
    """Graded to first reviewed."""
    decision = "decision"
    """First reviewed to decided."""
    total = "total"
    """Invited to decided."""


STEPS: dict[Step, tuple[Milestone, Milestone]] = {
    Step.start: (Milestone.invited, Milestone.started),
    Step.work: (Milestone.started, Milestone.submitted),
    Step.grading: (Milestone.submitted, Milestone.graded),
    Step.review: (Milestone.graded, Milestone.first_reviewed),
    Step.decision: (Milestone.first_reviewed, Milestone.decided),
    Step.total: (Milestone.invited, Milestone.decided),
}
"""Each step and the milestones that bound it."""
_CHAIN = [step for step in STEPS if step != Step.total]
_ORDER = list(Milestone)
_FIELDS = {m: f"{m.value}_at" for m in Milestone}
"""The ``Timeline`` field of each milestone (looked up once: timelines are read in bulk)."""
_STEP_FIELDS = [(step, (_FIELDS[a], _FIELDS[b])) for step, (a, b) in STEPS.items()]


@dataclass(frozen=True, slots=True)
class Timeline:
    """One candidate's milestones (UTC); ``None`` for those not reached yet."""

    invited_at: datetime
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    graded_at: datetime | None = None
    first_reviewed_at: datetime | None = None
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in (
            "invited_at",
            "started_at",
            "submitted_at",
            "graded_at",
            "first_reviewed_at",
            "decided_at",
        ):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, ensure_utc(value, name))

    def at(self, milestone: Milestone) -> datetime | None:
        """When ``milestone`` was reached."""
        value: datetime | None = getattr(self, _FIELDS[milestone])
        return value

    @property
    def waiting_for(self) -> Milestone | None:
        """The milestone after the latest one reached (``None`` once decided)."""
        if self.decided_at is not None:
            return None
        for i in range(len(_ORDER) - 2, -1, -1):  # latest reached first; invited always is
            if getattr(self, _FIELDS[_ORDER[i]]) is not None:
                return _ORDER[i + 1]
        return _ORDER[1]


def step_durations(timeline: Timeline) -> dict[Step, timedelta]:
    """How long each completed step took. A step with an end before its start (data entered out
    of order, e.g. a decision without a review) is left out rather than counted as negative."""
    out: dict[Step, timedelta] = {}
    for step, (begin, end) in _STEP_FIELDS:
        began, ended = getattr(timeline, begin), getattr(timeline, end)
        if began is not None and ended is not None and ended >= began:
            out[step] = ended - began
    return out


@dataclass(frozen=True, slots=True)
class StepMedian:
    """The team's median for one step."""

    median: timedelta
    count: int
    """How many candidates completed the step (a median of 2 says little)."""


def team_medians(timelines: Iterable[Timeline]) -> dict[Step, StepMedian]:
    """The median duration of each step over the candidates who completed it."""
    samples: dict[Step, list[int]] = {}
    for timeline in timelines:
        for step, duration in step_durations(timeline).items():
            samples.setdefault(step, []).append(duration // timedelta(microseconds=1))
    return {
        step: StepMedian(
            median=timedelta(microseconds=round(statistics.median(values))), count=len(values)
        )
        for step, values in samples.items()
        if values
    }


class RiskLevel(StrEnum):
    overdue = "overdue"
    projected_late = "projected_late"
    nearing_target = "nearing_target"


@dataclass(frozen=True, slots=True)
class Risk:
    """Why a candidate's process is flagged."""

    level: RiskLevel
    elapsed: timedelta
    """Time since the invitation."""
    projected: timedelta | None
    """Expected time to decision from the team's medians (``None`` without medians)."""
    waiting_for: Milestone
    """The next milestone: where the process is stuck."""
    message: str
    """One sentence for the dashboard."""


def _days(delta: timedelta) -> str:
    return f"{delta / timedelta(days=1):.1f} days"


def _projection(
    now: datetime, timeline: Timeline, waiting_for: Milestone, medians: Mapping[Step, StepMedian]
) -> timedelta | None:
    elapsed = now - timeline.invited_at
    ahead = _CHAIN[[STEPS[s][1] for s in _CHAIN].index(waiting_for) :]
    remaining = timedelta(0)
    for i, step in enumerate(ahead):
        stats = medians.get(step)
        if stats is None:
            return None  # no history for a step ahead: no honest projection
        if i == 0:
            begun = timeline.at(STEPS[step][0])
            spent = now - begun if begun is not None else timedelta(0)
            remaining += max(stats.median - spent, timedelta(0))
        else:
            remaining += stats.median
    return elapsed + remaining


def at_risk(
    now: datetime,
    timeline: Timeline,
    target: timedelta = timedelta(days=14),
    *,
    medians: Mapping[Step, StepMedian] | None = None,
    warn_fraction: float = 0.75,
) -> Risk | None:
    """The candidate's risk of passing ``target`` from invitation to decision, or ``None``."""
    if not 0 < warn_fraction <= 1:
        raise ValueError(f"warn_fraction is a share of the target, in (0, 1]; got {warn_fraction}")
    waiting_for = timeline.waiting_for
    if waiting_for is None:
        return None
    now = ensure_utc(now, "now")
    elapsed = now - timeline.invited_at
    projected = _projection(now, timeline, waiting_for, medians) if medians else None
    where = f"waiting for: {waiting_for.value.replace('_', ' ')}"
    if elapsed > target:
        return Risk(
            RiskLevel.overdue,
            elapsed,
            projected,
            waiting_for,
            f"{_days(elapsed)} since the invitation with no decision, past the target of "
            f"{_days(target)}; {where}",
        )
    if projected is not None and projected > target:
        return Risk(
            RiskLevel.projected_late,
            elapsed,
            projected,
            waiting_for,
            f"at the team's median pace a decision comes after {_days(projected)}, past "
            f"the target of {_days(target)}; {where}",
        )
    if elapsed >= target * warn_fraction:
        return Risk(
            RiskLevel.nearing_target,
            elapsed,
            projected,
            waiting_for,
            f"{_days(elapsed)} of the {_days(target)} target used with no decision; {where}",
        )
    return None
