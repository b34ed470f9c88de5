"""The paid time box as pure functions: the window to start, the clock, the deadline, lateness.

Nothing here reads the clock or the database: callers pass ``now`` and plain values, and get new
values back. Boundaries are inclusive to the microsecond: a start exactly at the window's end is
allowed and a submission exactly at the deadline is on time; one second later is not.

How the pieces fit (all times UTC):

- ``window_end = invited_at + start_window + window_extension``: the candidate must start by then.
- ``work_ends_at = min(started_at + time_box, window_end) + extension``: the end of the time box
  proper; the candidate page counts down to it.
- ``deadline = min(started_at + time_box + grace, window_end) + extension``: the last on-time
  instant. Between ``work_ends_at`` and ``deadline`` the candidate is "in grace".

Extensions (the issue says only "a reviewer can grant an extension with a reason") mean what the
reviewer needs at the moment they grant one:

- granted **before the clock starts**, it moves the end of the window to start
  (``window_extension``): "you can start later". The time box is unchanged, and the later window
  end is also the later cap;
- granted **after the clock started**, it is added *after* the window cap (``extension``), so it
  pushes the deadline past both the time box and the window's end by its full amount; otherwise
  an extension for a candidate who started late in the window would change nothing.

One number for both would be wrong either way: a day granted to a traveller who then starts early
in the window would add a day to their time box.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from harness.ledger.clock import ensure_utc
from harness.ledger.errors import InvalidExtension, InvalidTerms, LedgerError, WindowClosed

__all__ = [
    "MAX_EXTENSION_MINUTES",
    "MAX_GRACE",
    "MAX_START_WINDOW",
    "MAX_TIME_BOX_HOURS",
    "MAX_TOTAL_EXTENSION_MINUTES",
    "ClockStart",
    "Countdown",
    "Late",
    "LatePolicy",
    "OnTime",
    "Phase",
    "RefusalReason",
    "Refused",
    "SubmissionTiming",
    "TimeBoxState",
    "TimeBoxTerms",
    "countdown",
    "deadline",
    "expired_unused",
    "grant_extension",
    "invite",
    "is_closed",
    "open_invitation",
    "start_clock",
    "submission_timing",
    "work_ends_at",
]

MAX_TIME_BOX_HOURS = Decimal(40)
"""Same ceiling as the assignment spec: a per-invitation override cannot exceed it either."""
MAX_GRACE = timedelta(hours=24)
MAX_START_WINDOW = timedelta(days=90)
MAX_EXTENSION_MINUTES = 14 * 24 * 60
MAX_TOTAL_EXTENSION_MINUTES = 14 * 24 * 60
"""All grants of one invitation together (before and after the start): two weeks at most."""
"""One grant adds at most two weeks; a larger gap is a new invitation, not an extension."""
_MAX_REASON_CHARS = 1000
_ONE_SECOND = timedelta(seconds=1)


class LatePolicy(StrEnum):
    accept = "accept"
    """Accept late submissions and mark them late."""
    refuse = "refuse"
    """Refuse uploads after the deadline."""


class ClockStart(StrEnum):
    button = "button"
    """The clock starts when the candidate presses Start."""
    download = "download"
    """The clock starts at the first starter-kit download."""


def _hours_to_timedelta(hours: Decimal) -> timedelta:
    # Whole seconds: 4.5 h is exactly 16200 s; a third of an hour rounds to the nearest second.
    seconds = (hours * 3600).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return timedelta(seconds=int(seconds))


@dataclass(frozen=True, slots=True)
class TimeBoxTerms:
    """What one invitation promises: how long, how much slack, and what happens when late."""

    time_box_hours: Decimal
    """Hours the candidate is asked (and paid) to spend; 0 < hours <= 40."""
    grace: timedelta
    """Slack after the time box still counted as on time; 0 to 24 hours."""
    start_window: timedelta
    """How long after the invitation the candidate may start; up to 90 days."""
    late: LatePolicy = LatePolicy.accept
    """After the deadline: accept and mark late, or refuse."""
    clock_start: ClockStart = ClockStart.button
    """What starts the clock: the Start button, or (also) the first starter-kit download."""

    def __post_init__(self) -> None:
        hours = self.time_box_hours
        if isinstance(hours, bool) or not isinstance(hours, Decimal | int):
            raise InvalidTerms(
                f"time_box_hours must be a Decimal (got {type(hours).__name__}); "
                "floats are not exact enough for money and deadlines"
            )
        hours = Decimal(hours)
        if not hours.is_finite() or not 0 < hours <= MAX_TIME_BOX_HOURS:
            raise InvalidTerms(
                f"time_box_hours must be more than 0 and at most {MAX_TIME_BOX_HOURS} (got {hours})"
            )
        object.__setattr__(self, "time_box_hours", hours)
        if not timedelta(0) <= self.grace <= MAX_GRACE:
            raise InvalidTerms(f"grace must be between 0 and 24 hours (got {self.grace})")
        if not timedelta(0) < self.start_window <= MAX_START_WINDOW:
            raise InvalidTerms(
                f"the window to start must be more than 0 and at most 90 days (got {self.start_window})"
            )

    @property
    def time_box(self) -> timedelta:
        """The time box as real elapsed time, in whole seconds."""
        return _hours_to_timedelta(self.time_box_hours)


@dataclass(frozen=True, slots=True)
class TimeBoxState:
    """Where one invitation's time box stands. Mirrors the invitation's time-box columns."""

    terms: TimeBoxTerms
    """The promised terms."""
    invited_at: datetime
    """When the invitation was created (UTC)."""
    window_ends_at: datetime
    """The end of the window to start, before any extension (UTC)."""
    started_at: datetime | None = None
    """When the clock started; ``None`` until then (UTC)."""
    window_extension: timedelta = field(default=timedelta(0))
    """Extensions granted before the clock started: more time to start (phase 2 may fold this
    into the stored ``window_ends_at``)."""
    extension: timedelta = field(default=timedelta(0))
    """Extensions granted after the clock started: the deadline moves by this much (the
    invitation's ``extension_minutes``)."""
    extension_reason: str | None = None
    """Reason given with the latest grant (each grant is audited by the caller)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "invited_at", ensure_utc(self.invited_at, "invited_at"))
        object.__setattr__(
            self, "window_ends_at", ensure_utc(self.window_ends_at, "window_ends_at")
        )
        if self.started_at is not None:
            object.__setattr__(self, "started_at", ensure_utc(self.started_at, "started_at"))
        if self.window_ends_at <= self.invited_at:
            raise InvalidTerms("the window to start must end after the invitation was sent")
        if self.extension < timedelta(0) or self.window_extension < timedelta(0):
            raise InvalidExtension("extensions only add time; a negative extension is not kept")

    @property
    def effective_window_end(self) -> datetime:
        """The end of the window to start, with the extensions granted before the start."""
        return self.window_ends_at + self.window_extension

    @property
    def total_extension(self) -> timedelta:
        """Everything granted, before and after the start (what the report shows)."""
        return self.window_extension + self.extension

    @property
    def deadline(self) -> datetime | None:
        """The last on-time instant, or ``None`` before the clock starts."""
        if self.started_at is None:
            return None
        return deadline(self.started_at, self.terms, self.effective_window_end, self.extension)

    @property
    def work_ends_at(self) -> datetime | None:
        """The end of the time box proper (grace follows), or ``None`` before the clock starts."""
        if self.started_at is None:
            return None
        return work_ends_at(self.started_at, self.terms, self.effective_window_end, self.extension)

    @property
    def capped_by_window(self) -> bool:
        """True when the window's end cuts the time box or its grace short (a late start)."""
        if self.started_at is None:
            return False
        return self.started_at + self.terms.time_box + self.terms.grace > self.effective_window_end


def open_invitation(invited_at: datetime, terms: TimeBoxTerms) -> datetime:
    """The end of the window to start for an invitation sent at ``invited_at``."""
    return ensure_utc(invited_at, "invited_at") + terms.start_window


def invite(invited_at: datetime, terms: TimeBoxTerms) -> TimeBoxState:
    """A fresh time box for an invitation sent at ``invited_at``."""
    return TimeBoxState(
        terms=terms, invited_at=invited_at, window_ends_at=open_invitation(invited_at, terms)
    )


def work_ends_at(
    started_at: datetime,
    terms: TimeBoxTerms,
    window_ends_at: datetime,
    extension: timedelta = timedelta(0),
) -> datetime:
    """``min(start + time box, window end) + extension``: when grace begins.

    ``window_ends_at`` is the window's end with any extension granted before the start;
    ``extension`` is what was granted after it.
    """
    start = ensure_utc(started_at, "started_at")
    return min(start + terms.time_box, ensure_utc(window_ends_at, "window_ends_at")) + extension


def deadline(
    started_at: datetime,
    terms: TimeBoxTerms,
    window_ends_at: datetime,
    extension: timedelta = timedelta(0),
) -> datetime:
    """``min(start + time box + grace, window end) + extension``: the last on-time instant.

    ``window_ends_at`` is the window's end with any extension granted before the start;
    ``extension`` is what was granted after it.
    """
    start = ensure_utc(started_at, "started_at")
    capped = min(start + terms.time_box + terms.grace, ensure_utc(window_ends_at, "window_ends_at"))
    return capped + extension


def start_clock(
    state: TimeBoxState, now: datetime, *, trigger: ClockStart = ClockStart.button
) -> TimeBoxState:
    """The state with the clock started at ``now``.

    Starting is idempotent: an already started clock is returned unchanged, whatever ``now`` is.
    A starter-kit download (``trigger=download``) starts the clock only when the terms say so;
    the Start button always does, so a candidate can start explicitly under either policy.
    Raises ``WindowClosed`` after the window to start (with its extensions) has ended.
    """
    if state.started_at is not None:
        return state
    if trigger == ClockStart.download and state.terms.clock_start != ClockStart.download:
        return state
    now = ensure_utc(now, "now")
    if now < state.invited_at:
        raise LedgerError(
            f"cannot start the clock at {now.isoformat()}, before the invitation was sent "
            f"({state.invited_at.isoformat()}); check the server clock"
        )
    if now > state.effective_window_end:
        raise WindowClosed(
            f"the window to start this assignment ended at {state.effective_window_end:%Y-%m-%d %H:%M:%S} UTC; "
            "ask the hiring team for an extension or a new invitation"
        )
    return replace(state, started_at=now)


def grant_extension(state: TimeBoxState, minutes: int, reason: str) -> TimeBoxState:
    """The state with ``minutes`` more: to start, if the clock has not started; else to finish.

    Before the start it extends the window to start (the time box stays as promised); after, it
    moves the deadline, past the window's end if need be. The reason is required (it is shown on
    the report and kept in the audit log by the caller). Extensions only add time; to take time
    away, revoke the invitation instead.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidExtension(f"an extension is a whole number of minutes (got {minutes!r})")
    if not 0 < minutes <= MAX_EXTENSION_MINUTES:
        raise InvalidExtension(
            f"an extension must be between 1 and {MAX_EXTENSION_MINUTES} minutes (14 days); got {minutes}"
        )
    cleaned = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not cleaned:
        raise InvalidExtension("an extension needs a reason; it is shown on the report and audited")
    if len(cleaned) > _MAX_REASON_CHARS:
        raise InvalidExtension(
            f"the reason is {len(cleaned)} characters; keep it under {_MAX_REASON_CHARS}"
        )
    added = timedelta(minutes=minutes)
    granted = int(state.total_extension.total_seconds() // 60)
    if granted + minutes > MAX_TOTAL_EXTENSION_MINUTES:
        raise InvalidExtension(
            f"this invitation already has {granted} minutes of extensions; all extensions "
            f"together may add at most {MAX_TOTAL_EXTENSION_MINUTES} minutes (14 days), so "
            f"at most {max(0, MAX_TOTAL_EXTENSION_MINUTES - granted)} more. For longer, "
            "send a new invitation"
        )
    if state.started_at is None:
        return replace(
            state, window_extension=state.window_extension + added, extension_reason=cleaned
        )
    return replace(state, extension=state.extension + added, extension_reason=cleaned)


class RefusalReason(StrEnum):
    not_started = "not_started"
    """The clock has not started, so there is nothing to submit against yet."""
    window_closed = "window_closed"
    """The candidate never started and the window to start has ended."""
    past_deadline = "past_deadline"
    """The deadline has passed and the assignment refuses late submissions."""


@dataclass(frozen=True, slots=True)
class OnTime:
    """The submission is on time."""

    deadline: datetime
    """The deadline it met."""


@dataclass(frozen=True, slots=True)
class Late:
    """The submission is late and accepted (the assignment's policy); it is marked late."""

    by: timedelta
    """How far past the deadline it arrived."""
    deadline: datetime
    """The deadline it missed."""


@dataclass(frozen=True, slots=True)
class Refused:
    """The submission must not be accepted."""

    reason: RefusalReason
    """Why, as a code the web app can switch on."""
    message: str
    """What to tell the candidate, including what they can do (times in UTC)."""
    deadline: datetime | None = None
    """The deadline that passed, for ``past_deadline``: pages show it in the viewer's zone."""


SubmissionTiming = OnTime | Late | Refused


def submission_timing(now: datetime, state: TimeBoxState) -> SubmissionTiming:
    """Whether an upload at ``now`` is on time, late (accepted), or refused, by the policy.

    An upload before the clock started is refused: the page offers uploads only after Start, and
    silently starting the clock at the upload would bill zero hours.
    """
    now = ensure_utc(now, "now")
    if state.started_at is None:
        if now > state.effective_window_end:
            return Refused(
                RefusalReason.window_closed,
                "the window for this assignment has closed without the clock being started; "
                "ask the hiring team for an extension or a new invitation",
            )
        return Refused(
            RefusalReason.not_started,
            "press Start on the assignment page before uploading; the clock starts then",
        )
    due = state.deadline
    assert due is not None  # started, so there is a deadline
    if now <= due:
        return OnTime(deadline=due)
    if state.terms.late == LatePolicy.accept:
        return Late(by=now - due, deadline=due)
    return Refused(
        RefusalReason.past_deadline,
        f"the deadline passed at {due:%Y-%m-%d %H:%M:%S} UTC and this assignment does not accept "
        "late submissions; contact the hiring team if something went wrong",
        deadline=due,
    )


class Phase(StrEnum):
    not_started = "not_started"
    """Invited; the window to start is open."""
    running = "running"
    """The clock runs; the time box has not ended."""
    in_grace = "in_grace"
    """The time box has ended; uploads are still on time until the deadline."""
    over = "over"
    """The deadline has passed."""
    expired = "expired"
    """The window to start ended without the clock being started."""


@dataclass(frozen=True, slots=True)
class Countdown:
    """What the candidate page shows."""

    phase: Phase
    remaining_seconds: int
    """Whole seconds (rounded down) until ``phase_ends_at``; 0 when over or expired."""
    phase_ends_at: datetime | None
    """End of the current phase: window end, end of the box, or deadline; ``None`` once over."""
    deadline: datetime | None
    """The deadline, once the clock has started."""
    window_ends_at: datetime
    """End of the window to start, extensions granted before the start included."""
    capped_by_window: bool
    """The window's end shortened the time box; the page should say so."""


def _seconds_until(end: datetime, now: datetime) -> int:
    return max(0, (end - now) // _ONE_SECOND)


def countdown(now: datetime, state: TimeBoxState) -> Countdown:
    """The countdown at ``now``. Phase ends are inclusive, like the deadline."""
    now = ensure_utc(now, "now")
    window_end = state.effective_window_end
    due = state.deadline
    box_end = state.work_ends_at
    if due is None or box_end is None:
        if now <= window_end:
            phase, ends = Phase.not_started, window_end
        else:
            phase, ends = Phase.expired, None
    elif now <= box_end:
        phase, ends = Phase.running, box_end
    elif now <= due:
        phase, ends = Phase.in_grace, due
    else:
        phase, ends = Phase.over, None
    return Countdown(
        phase=phase,
        remaining_seconds=0 if ends is None else _seconds_until(ends, now),
        phase_ends_at=ends,
        deadline=due,
        window_ends_at=window_end,
        capped_by_window=state.capped_by_window,
    )


def expired_unused(now: datetime, state: TimeBoxState) -> bool:
    """True when the window to start ended (with its extensions) and the clock never started."""
    return state.started_at is None and ensure_utc(now, "now") > state.effective_window_end


def is_closed(now: datetime, state: TimeBoxState) -> bool:
    """True when no on-time submission can arrive any more: expired unused, or past the deadline.

    This is when the "nothing submitted" pay policy is applied. A late submission accepted
    afterwards replaces that payment while it is still owed (see ``pay.payment_for_submission``).
    """
    due = state.deadline
    if due is None:
        return expired_unused(now, state)
    return ensure_utc(now, "now") > due
