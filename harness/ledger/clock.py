"""Where the ledger gets the time from, and how it shows times to people.

Every function of the time box takes ``now`` (or a ``Clock``) instead of reading the system time,
so deadline edges can be tested to the second without sleeping. ``SystemClock`` is the only place
that reads the real time. All times are timezone-aware UTC inside; a viewer's zone is applied
only when a time is displayed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from harness.ledger.errors import NaiveDatetime, UnknownTimeZone

__all__ = [
    "Clock",
    "FixedClock",
    "ManualClock",
    "SystemClock",
    "ensure_utc",
    "format_in_tz",
    "to_viewer_tz",
]


@runtime_checkable
class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (tests, and replaying a decision at a recorded time)."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at, "the clock's time")

    def now(self) -> datetime:
        return self._at


class ManualClock(FixedClock):
    """A clock a test moves by hand: ``advance`` forwards, ``set`` anywhere."""

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by ``delta`` (may be negative) and return the new time."""
        self._at = self._at + delta
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at, "the clock's time")


def ensure_utc(dt: datetime, what: str = "time") -> datetime:
    """``dt`` converted to UTC; a naive ``dt`` is refused rather than guessed."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise NaiveDatetime(
            f"{what} {dt.isoformat()} has no time zone; pass a timezone-aware datetime "
            "(e.g. datetime(..., tzinfo=UTC))"
        )
    return dt.astimezone(UTC)


def _zone(tz_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(
            f"unknown time zone {tz_name!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc


def to_viewer_tz(dt: datetime, tz_name: str) -> datetime:
    """The same instant in the viewer's IANA time zone (daylight saving applied for that date)."""
    return ensure_utc(dt).astimezone(_zone(tz_name))


def format_in_tz(dt: datetime, tz_name: str) -> str:
    """``2026-03-08 03:30 EDT (UTC-04:00)``: a time as the viewer reads it, offset spelled out."""
    local = to_viewer_tz(dt, tz_name)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
