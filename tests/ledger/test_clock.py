"""The injected clock, UTC checks and display in a viewer's time zone (daylight saving included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from harness.ledger.clock import (
    Clock,
    FixedClock,
    ManualClock,
    SystemClock,
    ensure_utc,
    format_in_tz,
    to_viewer_tz,
)
from harness.ledger.errors import NaiveDatetime, UnknownTimeZone
from tests.ledger.factories import at


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(at(2026, 3, 2, 9))
    assert clock.now() == at(2026, 3, 2, 9)
    assert clock.now() == at(2026, 3, 2, 9)
    assert clock.advance(timedelta(hours=5, seconds=1)) == at(2026, 3, 2, 14, 0, 1)
    clock.set(at(2027, 1, 1))
    assert clock.now() == at(2027, 1, 1)
    assert isinstance(clock, Clock)


def test_clocks_hold_utc_and_refuse_naive_times() -> None:
    plus_two = datetime(2026, 3, 2, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    assert FixedClock(plus_two).now() == at(2026, 3, 2, 9)
    assert FixedClock(plus_two).now().tzinfo is UTC
    with pytest.raises(NaiveDatetime, match="no time zone"):
        FixedClock(datetime(2026, 3, 2, 9))
    with pytest.raises(NaiveDatetime):
        ensure_utc(datetime(2026, 3, 2, 9), "deadline")


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_viewer_time_zone_follows_daylight_saving() -> None:
    # New York springs forward on 2026-03-08 at 02:00 local (07:00 UTC).
    before = at(2026, 3, 8, 6, 30)
    after = at(2026, 3, 8, 7, 30)
    assert to_viewer_tz(before, "America/New_York").strftime("%H:%M %Z") == "01:30 EST"
    assert to_viewer_tz(after, "America/New_York").strftime("%H:%M %Z") == "03:30 EDT"
    assert format_in_tz(after, "America/New_York") == "2026-03-08 03:30 EDT (UTC-04:00)"
    assert format_in_tz(after, "Asia/Kolkata") == "2026-03-08 13:00 IST (UTC+05:30)"
    assert to_viewer_tz(after, "UTC") == after


def test_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(UnknownTimeZone, match="IANA name"):
        to_viewer_tz(at(2026, 3, 8), "Mars/Olympus_Mons")
    with pytest.raises(UnknownTimeZone):
        to_viewer_tz(at(2026, 3, 8), "../../etc/passwd")
