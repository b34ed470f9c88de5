"""API shapes of the time box and its extensions.

Every time is UTC (ISO 8601 with ``Z`` or ``+00:00``); pages show them in the viewer's zone, the
API leaves that to its client.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ExtensionCreate",
    "ExtensionOut",
    "StartIn",
    "TimeBoxOut",
]


class TimeBoxOut(BaseModel):
    """Where one invitation's time box stands."""

    phase: str
    """``not_started``, ``running``, ``in_grace``, ``over`` or ``expired``."""
    remaining_seconds: int
    """Whole seconds until ``phase_ends_at`` (0 once over or expired)."""
    phase_ends_at: datetime | None
    """End of the window to start, of the time box, or the deadline; null once over."""
    now: datetime
    """The server's time when this was computed (clients count down from it)."""
    invited_at: datetime
    window_ends_at: datetime
    """The last moment to start, extensions granted before the start included."""
    started_at: datetime | None
    work_ends_at: datetime | None
    """End of the time box proper; grace follows."""
    deadline_at: datetime | None
    """The last on-time instant (time box + grace, capped by the window, plus extensions)."""
    time_box_hours: Decimal
    grace_minutes: int
    late_policy: str
    """``accept`` (late uploads are kept and marked late) or ``refuse``."""
    clock_start: str
    """``button`` or ``download`` (the first starter-kit download also starts the clock)."""
    extension_minutes: int
    """Granted after the start: the deadline moved by this much."""
    window_extension_minutes: int
    """Granted before the start: more time to start."""
    capped_by_window: bool
    """The window's end cut the time box short (a late start)."""
    pay: str | None
    """The pay terms in words, e.g. ``USD 50.00 per hour, at most 4 hours (USD 200.00)``."""


class StartIn(BaseModel):
    """Optional body of the start call."""

    model_config = ConfigDict(extra="forbid")
    time_zone: str | None = Field(default=None, max_length=64, examples=["Europe/Berlin"])
    """The candidate's IANA time zone, used for the times in their reminder e-mails."""


class ExtensionCreate(BaseModel):
    """Grant more time: to start, before the clock runs; to finish, after."""

    model_config = ConfigDict(extra="forbid")
    minutes: int = Field(ge=1, le=14 * 24 * 60, examples=[120])
    reason: str = Field(min_length=1, max_length=1000, examples=["power cut at the candidate's"])
    """Shown on the report and kept in the audit log."""


class ExtensionOut(BaseModel):
    id: int
    minutes: int
    reason: str
    before_start: bool
    """Granted before the clock started: it moved the end of the window to start."""
    granted_by: str
    granted_at: datetime
    deadline_before: datetime | None
    deadline_after: datetime | None
    window_ends_after: datetime
