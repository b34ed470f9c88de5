"""Process speed: timelines, step durations, team medians, and candidates at risk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harness.ledger.process import (
    Milestone,
    RiskLevel,
    Step,
    StepMedian,
    Timeline,
    at_risk,
    step_durations,
    team_medians,
)
from tests.ledger.factories import INVITED, at

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _timeline(*gaps: timedelta) -> Timeline:
    """A timeline whose milestones follow the invitation by the cumulative ``gaps``."""
    names = ["started_at", "submitted_at", "graded_at", "first_reviewed_at", "decided_at"]
    moments: dict[str, object] = {}
    when = INVITED
    for name, gap in zip(names, gaps, strict=False):
        when = when + gap
        moments[name] = when
    return Timeline(invited_at=INVITED, **moments)  # type: ignore[arg-type]


def test_waiting_for_is_the_milestone_after_the_latest_reached() -> None:
    assert _timeline().waiting_for == Milestone.started
    assert _timeline(DAY, 5 * HOUR).waiting_for == Milestone.graded
    assert _timeline(DAY, 5 * HOUR, HOUR, DAY, DAY).waiting_for is None
    # Untimed invitation: no start recorded, but a submission; what is next is grading.
    assert Timeline(INVITED, submitted_at=INVITED + DAY).waiting_for == Milestone.graded


def test_step_durations() -> None:
    timeline = _timeline(2 * DAY, 5 * HOUR, 10 * timedelta(minutes=1), 3 * DAY, DAY)
    assert step_durations(timeline) == {
        Step.start: 2 * DAY,
        Step.work: 5 * HOUR,
        Step.grading: timedelta(minutes=10),
        Step.review: 3 * DAY,
        Step.decision: DAY,
        Step.total: 6 * DAY + 5 * HOUR + timedelta(minutes=10),
    }
    partial = step_durations(_timeline(DAY, 4 * HOUR))
    assert set(partial) == {Step.start, Step.work}


def test_steps_recorded_out_of_order_are_left_out() -> None:
    odd = Timeline(INVITED, graded_at=INVITED + DAY, first_reviewed_at=INVITED + HOUR)
    assert Step.review not in step_durations(odd)


def test_team_medians_per_step() -> None:
    timelines = [
        _timeline(1 * DAY, 4 * HOUR),
        _timeline(2 * DAY, 5 * HOUR, HOUR),
        _timeline(4 * DAY, 6 * HOUR, 3 * HOUR),
    ]
    medians = team_medians(timelines)
    assert medians[Step.start] == StepMedian(2 * DAY, 3)
    assert medians[Step.work] == StepMedian(5 * HOUR, 3)
    assert medians[Step.grading] == StepMedian(2 * HOUR, 2)  # even count: mean of the middle two
    assert Step.review not in medians
    assert team_medians([]) == {}


def test_decided_candidates_are_never_at_risk() -> None:
    done = _timeline(DAY, 5 * HOUR, HOUR, DAY, 30 * DAY)
    assert at_risk(INVITED + 60 * DAY, done) is None


def test_overdue_after_the_target() -> None:
    timeline = _timeline(DAY, 5 * HOUR, HOUR)
    assert (
        at_risk(INVITED + 14 * DAY, timeline) is not None
    )  # 14 days exactly: nearing, not overdue
    assert at_risk(INVITED + 14 * DAY, timeline).level == RiskLevel.nearing_target  # type: ignore[union-attr]
    risk = at_risk(INVITED + 14 * DAY + timedelta(seconds=1), timeline)
    assert risk is not None
    assert risk.level == RiskLevel.overdue
    assert risk.waiting_for == Milestone.first_reviewed
    assert "waiting for: first reviewed" in risk.message
    assert "14.0 days" in risk.message


def test_nearing_the_target_without_a_decision() -> None:
    timeline = _timeline(DAY)
    assert at_risk(INVITED + 10 * DAY, timeline) is None
    risk = at_risk(INVITED + timedelta(days=10.5), timeline)
    assert risk is not None and risk.level == RiskLevel.nearing_target
    assert at_risk(INVITED + 8 * DAY, timeline, timedelta(days=10)) is not None  # custom target
    assert at_risk(INVITED + 8 * DAY, timeline, warn_fraction=0.5) is not None


def test_projected_late_from_the_team_medians() -> None:
    medians = {
        Step.start: StepMedian(2 * DAY, 10),
        Step.work: StepMedian(6 * HOUR, 10),
        Step.grading: StepMedian(HOUR, 10),
        Step.review: StepMedian(4 * DAY, 10),
        Step.decision: StepMedian(3 * DAY, 10),
    }
    # Invited 5 days ago and not started: 5 days + (2 d start, already passed) + 6 h + 1 h + 4 d
    # + 3 d = 12 d 7 h: on track.
    slow_start = Timeline(INVITED)
    assert at_risk(INVITED + 5 * DAY, slow_start, medians=medians) is None
    # Graded exactly on day 7: 7 d + 4 d review + 3 d decision = 14 d, on the target, not past it.
    timeline = _timeline(6 * DAY, 5 * HOUR, 19 * HOUR)
    now = INVITED + 7 * DAY
    assert timeline.graded_at == now
    assert at_risk(now, timeline, medians=medians) is None
    # A slower review median (5 days) projects 15 days.
    slower = {**medians, Step.review: StepMedian(5 * DAY, 10)}
    risk = at_risk(now, timeline, medians=slower)
    assert risk is not None and risk.level == RiskLevel.projected_late
    assert risk.projected == 15 * DAY
    assert risk.waiting_for == Milestone.first_reviewed
    assert "15.0 days" in risk.message
    # The current step counts only what is left of its median: a day later, still 15 days.
    risk = at_risk(now + DAY, timeline, medians=slower)
    assert risk is not None and risk.projected == 15 * DAY
    # A step already slower than its median adds nothing more for itself.
    risk = at_risk(now + 6 * DAY, timeline, medians=slower)
    assert risk is not None and risk.projected == 13 * DAY + 3 * DAY
    # Without history for a step ahead, no projection is made (and the fraction rule applies).
    partial = {Step.review: StepMedian(4 * DAY, 3)}
    assert at_risk(now, timeline, medians=partial) is None


def test_expired_unused_invitation_stays_flagged_until_decided() -> None:
    never_started = Timeline(INVITED)
    risk = at_risk(at(2026, 3, 30), never_started)
    assert risk is not None and risk.level == RiskLevel.overdue
    assert risk.waiting_for == Milestone.started


def test_warn_fraction_must_be_a_share_of_the_target() -> None:
    with pytest.raises(ValueError, match="share of the target"):
        at_risk(INVITED, Timeline(INVITED), warn_fraction=1.5)
