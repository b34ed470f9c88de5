"""Which reminders are due: deadline approaching and reviews waiting, each sent once."""

from __future__ import annotations

from datetime import timedelta

from harness.ledger.clock import ManualClock
from harness.ledger.timebox import TimeBoxState, grant_extension
from harness.notify.due import InvitationWatch, ReviewWait, due_notifications
from harness.notify.messages import NotificationKind
from tests.ledger.factories import at, make_state, started_state

START = at(2026, 3, 3, 10)
DEADLINE = at(2026, 3, 3, 15, 15)
SECOND = timedelta(seconds=1)
REVIEWERS = ("lead@example.org",)


def _watch(
    state: TimeBoxState, *, submitted: bool = False, invitation_id: int = 7
) -> InvitationWatch:
    return InvitationWatch(
        invitation_id=invitation_id,
        candidate_name="Ada",
        candidate_email="ada@example.org",
        assignment_title="Support tickets",
        timebox=state,
        submitted=submitted,
    )


def _wait(since_hours_ago: float, submission_id: int = 40) -> ReviewWait:
    return ReviewWait(
        submission_id=submission_id,
        assignment_title="Support tickets",
        candidate_label="Candidate #7",
        waiting_since=DEADLINE - timedelta(hours=since_hours_ago),
    )


def test_deadline_reminder_is_due_from_one_hour_before_until_the_deadline() -> None:
    watch = _watch(started_state(START))
    warning_starts = DEADLINE - timedelta(hours=1)
    assert due_notifications(warning_starts - SECOND, [watch], already_sent=set()) == []
    (note,) = due_notifications(warning_starts, [watch], already_sent=set())
    assert note.kind == NotificationKind.deadline_approaching
    assert note.to == ("ada@example.org",)
    assert len(due_notifications(DEADLINE, [watch], already_sent=set())) == 1
    assert due_notifications(DEADLINE + SECOND, [watch], already_sent=set()) == []


def test_no_deadline_reminder_when_submitted_or_not_started() -> None:
    now = DEADLINE - timedelta(minutes=30)
    assert (
        due_notifications(now, [_watch(started_state(START), submitted=True)], already_sent=set())
        == []
    )
    assert due_notifications(now, [_watch(make_state())], already_sent=set()) == []


def test_a_scheduler_loop_sends_each_reminder_once_and_again_after_an_extension() -> None:
    clock = ManualClock(START)
    state = started_state(START)
    sent: list[str] = []
    while clock.now() < DEADLINE + timedelta(hours=3):
        if clock.now() == DEADLINE - timedelta(minutes=20):
            state = grant_extension(state, 120, "network outage")
        for note in due_notifications(clock.now(), [_watch(state)], already_sent=set(sent)):
            sent.append(note.key)
        clock.advance(timedelta(minutes=1))
    assert sent == [
        "deadline-approaching:7:2026-03-03T15:15:00+00:00",
        "deadline-approaching:7:2026-03-03T17:15:00+00:00",
    ]


def test_review_alert_after_the_configured_wait_once_per_submission() -> None:
    alert = timedelta(hours=72)
    waits = [_wait(72), _wait(71.9, submission_id=41)]
    due = due_notifications(
        DEADLINE, [], waits, already_sent=set(), reviewers=REVIEWERS, review_wait_alert=alert
    )
    assert [n.key for n in due] == ["review-waiting:40"]
    assert due[0].to == REVIEWERS
    assert (
        due_notifications(
            DEADLINE,
            [],
            waits,
            already_sent={"review-waiting:40"},
            reviewers=REVIEWERS,
            review_wait_alert=alert,
        )
        == []
    )
    # Nobody to tell: no message (the dashboard flag remains).
    assert due_notifications(DEADLINE, [], waits, already_sent=set(), review_wait_alert=alert) == []
