"""The time box: window to start, clock, deadline edges to the second, grace, window cap,
extensions, late policies, countdown, expiry. Every time is injected; nothing sleeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from harness.ledger.clock import format_in_tz, to_viewer_tz
from harness.ledger.errors import (
    InvalidExtension,
    InvalidTerms,
    LedgerError,
    NaiveDatetime,
    WindowClosed,
)
from harness.ledger.timebox import (
    ClockStart,
    Late,
    LatePolicy,
    OnTime,
    Phase,
    RefusalReason,
    Refused,
    countdown,
    deadline,
    expired_unused,
    grant_extension,
    is_closed,
    open_invitation,
    start_clock,
    submission_timing,
)
from tests.ledger.factories import INVITED, at, make_state, make_terms, started_state

SECOND = timedelta(seconds=1)
START = at(2026, 3, 3, 10)
"""Clock start used by most tests: 5 h box + 15 min grace -> deadline 15:15:00 UTC."""
DEADLINE = at(2026, 3, 3, 15, 15)


def test_fractional_time_box_is_whole_seconds() -> None:
    assert make_terms(hours="0.3333").time_box == timedelta(seconds=1200)  # 1199.88 s rounds up
    assert make_terms(hours="1.0001").time_box == timedelta(seconds=3600)  # 0.36 s rounds down


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_box_hours", Decimal(0), "more than 0"),
        ("time_box_hours", Decimal(41), "at most 40"),
        ("time_box_hours", Decimal("NaN"), "more than 0"),
        ("time_box_hours", 4.5, "must be a Decimal"),
        ("grace", timedelta(minutes=-1), "grace"),
        ("grace", timedelta(hours=25), "grace"),
        ("start_window", timedelta(0), "window to start"),
        ("start_window", timedelta(days=91), "window to start"),
    ],
)
def test_impossible_terms_are_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidTerms, match=message):
        replace(make_terms(), **{field: value})


# --- the window and the clock ------------------------------------------------------------------


def test_window_to_start_ends_start_window_after_the_invitation() -> None:
    assert open_invitation(INVITED, make_terms(window_days=7)) == INVITED + timedelta(days=7)
    assert make_state().window_ends_at == INVITED + timedelta(days=7)


def test_start_clock_starts_once_and_is_idempotent() -> None:
    state = start_clock(make_state(), START)
    assert state.started_at == START
    again = start_clock(state, START + timedelta(hours=3))
    assert again is state
    assert again.started_at == START
    # Even after the window ended, asking again for a started clock is harmless.
    assert start_clock(state, state.window_ends_at + timedelta(days=3)).started_at == START


def test_start_is_allowed_exactly_at_the_window_end_and_refused_a_second_later() -> None:
    state = make_state()
    end = state.window_ends_at
    assert start_clock(state, end).started_at == end
    with pytest.raises(WindowClosed, match="ask the hiring team for an extension"):
        start_clock(state, end + SECOND)


def test_start_before_the_invitation_is_refused() -> None:
    with pytest.raises(LedgerError, match="before the invitation"):
        start_clock(make_state(), INVITED - SECOND)


def test_kit_download_starts_the_clock_only_under_the_download_policy() -> None:
    button = make_state(terms=make_terms(clock_start=ClockStart.button))
    assert start_clock(button, START, trigger=ClockStart.download).started_at is None
    download = make_state(terms=make_terms(clock_start=ClockStart.download))
    assert start_clock(download, START, trigger=ClockStart.download).started_at == START
    # The Start button works under either policy.
    assert start_clock(download, START, trigger=ClockStart.button).started_at == START


def test_times_must_be_timezone_aware() -> None:
    with pytest.raises(NaiveDatetime):
        start_clock(make_state(), START.replace(tzinfo=None))
    with pytest.raises(NaiveDatetime):
        make_state(INVITED.replace(tzinfo=None))


# --- deadline edges ----------------------------------------------------------------------------


def test_deadline_is_start_plus_box_plus_grace() -> None:
    state = started_state(START)
    assert state.deadline == DEADLINE
    assert state.work_ends_at == START + timedelta(hours=5)
    assert deadline(START, state.terms, state.window_ends_at) == DEADLINE
    assert not state.capped_by_window


def test_exactly_at_the_deadline_is_on_time_and_one_second_later_is_late() -> None:
    state = started_state(START)
    assert submission_timing(DEADLINE, state) == OnTime(deadline=DEADLINE)
    assert submission_timing(DEADLINE + SECOND, state) == Late(by=SECOND, deadline=DEADLINE)
    assert submission_timing(DEADLINE + timedelta(hours=2), state) == Late(
        by=timedelta(hours=2), deadline=DEADLINE
    )


def test_refuse_policy_refuses_one_second_after_the_deadline() -> None:
    state = started_state(START, make_terms(late=LatePolicy.refuse))
    assert isinstance(submission_timing(DEADLINE, state), OnTime)
    refused = submission_timing(DEADLINE + SECOND, state)
    assert isinstance(refused, Refused)
    assert refused.reason == RefusalReason.past_deadline
    assert refused.deadline == DEADLINE
    assert "2026-03-03 15:15:00 UTC" in refused.message


def test_microsecond_past_the_deadline_is_late() -> None:
    state = started_state(START)
    assert isinstance(submission_timing(DEADLINE + timedelta(microseconds=1), state), Late)


def test_grace_keeps_uploads_on_time_after_the_box() -> None:
    state = started_state(START)
    box_end = START + timedelta(hours=5)
    assert countdown(box_end - SECOND, state).phase == Phase.running
    assert countdown(box_end, state).phase == Phase.running
    after_box = countdown(box_end + SECOND, state)
    assert after_box.phase == Phase.in_grace
    assert after_box.remaining_seconds == 15 * 60 - 1
    assert isinstance(submission_timing(box_end + timedelta(minutes=10), state), OnTime)


def test_zero_grace_puts_the_deadline_at_the_end_of_the_box() -> None:
    state = started_state(START, make_terms(grace_minutes=0))
    assert state.deadline == START + timedelta(hours=5)
    assert isinstance(submission_timing(START + timedelta(hours=5), state), OnTime)
    assert isinstance(submission_timing(START + timedelta(hours=5) + SECOND, state), Late)


def test_window_end_caps_the_deadline_of_a_late_start() -> None:
    state = make_state()
    window_end = state.window_ends_at
    started = start_clock(state, window_end - timedelta(hours=2))
    assert started.deadline == window_end
    assert started.work_ends_at == window_end
    assert started.capped_by_window
    assert isinstance(submission_timing(window_end, started), OnTime)
    assert submission_timing(window_end + SECOND, started) == Late(by=SECOND, deadline=window_end)
    shown = countdown(window_end - timedelta(hours=1), started)
    assert (shown.phase, shown.remaining_seconds, shown.capped_by_window) == (
        Phase.running,
        3600,
        True,
    )


def test_window_end_cuts_into_grace() -> None:
    state = make_state()
    window_end = state.window_ends_at
    # 5 h box ends 5 minutes before the window; only 5 of the 15 grace minutes remain.
    started = start_clock(state, window_end - timedelta(hours=5, minutes=5))
    assert started.work_ends_at == window_end - timedelta(minutes=5)
    assert started.deadline == window_end
    assert started.capped_by_window


# --- extensions --------------------------------------------------------------------------------


def test_extension_moves_the_deadline_and_keeps_the_reason() -> None:
    state = grant_extension(started_state(START), 30, "  power cut in\nthe candidate's area ")
    assert state.deadline == DEADLINE + timedelta(minutes=30)
    assert state.extension_reason == "power cut in the candidate's area"
    assert isinstance(submission_timing(DEADLINE + timedelta(minutes=30), state), OnTime)
    assert isinstance(submission_timing(DEADLINE + timedelta(minutes=30) + SECOND, state), Late)
    twice = grant_extension(state, 15, "second request")
    assert twice.extension == timedelta(minutes=45)
    assert twice.deadline == DEADLINE + timedelta(minutes=45)
    assert twice.extension_reason == "second request"


def test_extension_pushes_past_the_window_cap() -> None:
    state = make_state()
    window_end = state.window_ends_at
    started = start_clock(state, window_end - timedelta(hours=1))
    extended = grant_extension(started, 120, "started late after a travel delay")
    assert extended.deadline == window_end + timedelta(hours=2)
    assert extended.work_ends_at == window_end + timedelta(hours=2)


def test_extension_before_start_gives_more_time_to_start_not_a_longer_box() -> None:
    state = make_state()
    window_end = state.window_ends_at
    assert expired_unused(window_end + SECOND, state)
    extended = grant_extension(state, 24 * 60, "candidate was travelling")
    assert extended.window_extension == timedelta(days=1)
    assert extended.extension == timedelta(0)
    assert extended.total_extension == timedelta(days=1)
    assert not expired_unused(window_end + SECOND, extended)

    # Starting after the original window end: the usual box, capped by the new window end.
    late_start = start_clock(extended, window_end + timedelta(hours=1))
    assert late_start.deadline == window_end + timedelta(hours=6, minutes=15)
    near_new_end = start_clock(extended, window_end + timedelta(hours=22))
    assert near_new_end.deadline == window_end + timedelta(days=1)
    # Starting early anyway: the day granted to start later is not added to the time box.
    early_start = start_clock(extended, START)
    assert early_start.deadline == DEADLINE

    with pytest.raises(WindowClosed):
        start_clock(extended, window_end + timedelta(days=1) + SECOND)


@pytest.mark.parametrize(
    ("minutes", "reason", "message"),
    [
        (30, "", "needs a reason"),
        (30, "   \n ", "needs a reason"),
        (0, "ok", "between 1 and"),
        (-30, "ok", "between 1 and"),
        (14 * 24 * 60 + 1, "ok", "between 1 and"),
        (True, "ok", "whole number"),
        (1.5, "ok", "whole number"),
        (30, "x" * 1001, "keep it under"),
    ],
)
def test_bad_extensions_are_refused(minutes: Any, reason: str, message: str) -> None:
    with pytest.raises(InvalidExtension, match=message):
        grant_extension(started_state(START), minutes, reason)


# --- before the start, and expiry --------------------------------------------------------------


def test_upload_before_the_clock_starts_is_refused() -> None:
    state = make_state()
    early = submission_timing(START, state)
    assert isinstance(early, Refused) and early.reason == RefusalReason.not_started
    closed = submission_timing(state.window_ends_at + SECOND, state)
    assert isinstance(closed, Refused) and closed.reason == RefusalReason.window_closed


def test_invitation_that_expires_unused() -> None:
    state = make_state()
    end = state.window_ends_at
    assert not expired_unused(end, state)
    assert expired_unused(end + SECOND, state)
    assert is_closed(end + SECOND, state)
    assert not is_closed(end, state)
    shown = countdown(end + SECOND, state)
    assert (shown.phase, shown.remaining_seconds, shown.phase_ends_at) == (Phase.expired, 0, None)
    # A started invitation never "expires unused", even long after its window.
    assert not expired_unused(end + timedelta(days=30), started_state(START))


def test_is_closed_after_the_deadline_of_a_started_box() -> None:
    state = started_state(START)
    assert not is_closed(DEADLINE, state)
    assert is_closed(DEADLINE + SECOND, state)


# --- countdown ---------------------------------------------------------------------------------


def test_countdown_through_every_phase() -> None:
    state = make_state()
    waiting = countdown(INVITED + timedelta(hours=1), state)
    assert waiting.phase == Phase.not_started
    assert waiting.remaining_seconds == 7 * 24 * 3600 - 3600
    assert waiting.deadline is None and waiting.phase_ends_at == state.window_ends_at

    started = start_clock(state, START)
    running = countdown(START + timedelta(minutes=1, milliseconds=500), started)
    assert running.phase == Phase.running
    assert running.remaining_seconds == 5 * 3600 - 61  # rounded down: never shows more than is left
    assert running.deadline == DEADLINE

    grace = countdown(DEADLINE - SECOND, started)
    assert (grace.phase, grace.remaining_seconds) == (Phase.in_grace, 1)
    at_deadline = countdown(DEADLINE, started)
    assert (at_deadline.phase, at_deadline.remaining_seconds) == (Phase.in_grace, 0)
    over = countdown(DEADLINE + SECOND, started)
    assert (over.phase, over.remaining_seconds, over.phase_ends_at) == (Phase.over, 0, None)


# --- daylight saving ---------------------------------------------------------------------------

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"


def test_spring_forward_inside_the_window_and_the_box() -> None:
    # New York springs forward on 2026-03-08 at 02:00 EST (07:00 UTC): the wall clock skips an hour.
    invited = at(2026, 3, 5, 22)
    state = make_state(invited, make_terms(grace_minutes=0))
    assert format_in_tz(invited, NEW_YORK) == "2026-03-05 17:00 EST (UTC-05:00)"
    # The window is 7 x 24 real hours, so its end reads an hour later on the local wall clock.
    assert format_in_tz(state.window_ends_at, NEW_YORK) == "2026-03-12 18:00 EDT (UTC-04:00)"

    started = start_clock(state, at(2026, 3, 8, 5, 30))
    assert format_in_tz(at(2026, 3, 8, 5, 30), NEW_YORK) == "2026-03-08 00:30 EST (UTC-05:00)"
    assert started.deadline == at(2026, 3, 8, 10, 30)
    assert started.deadline is not None and started.started_at is not None
    assert started.deadline - started.started_at == timedelta(hours=5)  # 5 real hours...
    local_start = to_viewer_tz(started.started_at, NEW_YORK)
    local_deadline = to_viewer_tz(started.deadline, NEW_YORK)
    assert local_deadline.strftime("%H:%M %Z") == "06:30 EDT"  # ...6 hours on the wall clock
    assert local_deadline.replace(tzinfo=None) - local_start.replace(tzinfo=None) == timedelta(
        hours=6
    )

    # At 03:00 EDT (07:00 UTC), 3.5 real hours are left, not 3.5 wall-clock hours from "00:30".
    assert countdown(at(2026, 3, 8, 7), started).remaining_seconds == int(3.5 * 3600)
    assert isinstance(submission_timing(at(2026, 3, 8, 10, 30), started), OnTime)
    assert isinstance(submission_timing(at(2026, 3, 8, 10, 30, 1), started), Late)


def test_fall_back_inside_the_box() -> None:
    # Berlin falls back on 2026-10-25 at 03:00 CEST (01:00 UTC): 02:00-03:00 local happens twice.
    started = started_state(
        at(2026, 10, 25, 0, 30), make_terms(grace_minutes=0), invited_at=at(2026, 10, 20, 8)
    )
    assert started.deadline == at(2026, 10, 25, 5, 30)
    assert format_in_tz(at(2026, 10, 25, 0, 30), BERLIN) == "2026-10-25 02:30 CEST (UTC+02:00)"
    assert format_in_tz(at(2026, 10, 25, 1, 30), BERLIN) == "2026-10-25 02:30 CET (UTC+01:00)"
    assert format_in_tz(started.deadline, BERLIN) == "2026-10-25 06:30 CET (UTC+01:00)"
    # Halfway through the box by real time, whatever the wall clock repeated.
    assert countdown(at(2026, 10, 25, 3), started).remaining_seconds == int(2.5 * 3600)
