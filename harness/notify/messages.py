"""Notifications as values, and the pure functions that write their plain-text bodies.

A notification carries an idempotence ``key``: whoever sends it records the key, and the
reminder logic (``harness.notify.due``) never produces a key that was already sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from harness.ledger.clock import ensure_utc, format_in_tz
from harness.validation import email_address

__all__ = [
    "REVIEW_WAITING_KEY",
    "Notification",
    "NotificationKind",
    "deadline_approaching",
    "format_duration",
    "format_late",
    "invitation_sent",
    "review_waiting",
    "submission_received",
]

REVIEW_WAITING_KEY = "review-waiting:"
"""Prefix of the review-waiting keys (the submission id follows), so a query can skip the
submissions already nudged about."""

_MAX_SUBJECT = 200


class NotificationKind(StrEnum):
    invitation_sent = "invitation_sent"
    """To the candidate: the link, the time box, the window to start."""
    deadline_approaching = "deadline_approaching"
    """To the candidate, shortly before the deadline, if nothing was submitted yet."""
    submission_received = "submission_received"
    """To the candidate, on each upload."""
    review_waiting = "review_waiting"
    """To the reviewers, when a graded submission has waited too long for a first review."""


def _one_line(text: str) -> str:
    # Collapsing whitespace also removes CR/LF, so no value can start a new mail header.
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to send."""

    kind: NotificationKind
    to: tuple[str, ...]
    """Recipient addresses (at least one)."""
    subject: str
    """One line, at most 200 characters."""
    body: str
    """Plain text."""
    key: str
    """Idempotence key, e.g. ``deadline-approaching:12:2026-03-08T14:00:00+00:00``."""

    def __post_init__(self) -> None:
        if not self.to:
            raise ValueError("a notification needs at least one recipient")
        for address in self.to:
            # The one e-mail rule (harness.validation): what an invitation accepted, the
            # notifier can send to; one address, no display name, nothing to smuggle a header.
            try:
                plain = email_address(address) == address.lower()
            except ValueError:
                plain = False
            if not plain:
                raise ValueError(f"{address!r} is not a plain e-mail address (name@example.org)")
        subject = _one_line(self.subject)
        if len(subject) > _MAX_SUBJECT:
            subject = subject[: _MAX_SUBJECT - 1] + "…"
        object.__setattr__(self, "subject", subject)
        if not self.key:
            raise ValueError("a notification needs an idempotence key")


def format_duration(delta: timedelta) -> str:
    """``2 h 05 min``, ``45 min``, ``3 days 4 h``: durations as people read them (rounded down)."""
    minutes = max(0, int(delta // timedelta(minutes=1)))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def format_late(seconds: int) -> str:
    """``1 s``, ``12 min``, ``2 h 05 min``: how late an upload was, as people say it."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return format_duration(timedelta(seconds=seconds))


def _when(dt: datetime, tz_name: str) -> str:
    if tz_name == "UTC":
        return f"{ensure_utc(dt):%Y-%m-%d %H:%M} UTC"
    return format_in_tz(dt, tz_name)


def _hours(hours: Decimal) -> str:
    text = f"{hours.normalize():f}"
    return f"{text} hour{'' if hours == 1 else 's'}"


def invitation_sent(
    *,
    invitation_id: int,
    candidate_name: str,
    candidate_email: str,
    assignment_title: str,
    link: str,
    time_box_hours: Decimal,
    window_ends_at: datetime,
    pay: str | None = None,
    tz_name: str = "UTC",
) -> Notification:
    """The invitation e-mail. ``pay`` is the terms as a sentence (``USD 75.00 per hour, ...``)."""
    title = _one_line(assignment_title)
    lines = [
        f"Hello {_one_line(candidate_name)},",
        "",
        f"You are invited to a take-home assignment: {title}.",
        "",
        f"It is time-boxed to {_hours(time_box_hours)}. The clock starts when you press Start on "
        "the assignment page, so read the instructions first if you like.",
        f"Please start by {_when(window_ends_at, tz_name)}.",
    ]
    if pay:
        lines += ["", f"You are paid for this time: {_one_line(pay)}."]
    lines += [
        "",
        "Your personal link (do not share it; it is how we know the work is yours):",
        link,
        "",
        "Good luck!",
    ]
    return Notification(
        kind=NotificationKind.invitation_sent,
        to=(candidate_email,),
        subject=f"Your take-home assignment: {title}",
        body="\n".join(lines) + "\n",
        key=f"invitation-sent:{invitation_id}",
    )


def deadline_approaching(
    *,
    invitation_id: int,
    candidate_name: str,
    candidate_email: str,
    assignment_title: str,
    deadline: datetime,
    now: datetime,
    late_accepted: bool,
    tz_name: str = "UTC",
) -> Notification:
    """The reminder shortly before the deadline. The key names the deadline, so an extension
    (a new deadline) gets its own reminder."""
    deadline = ensure_utc(deadline, "deadline")
    left = format_duration(deadline - ensure_utc(now, "now"))
    after = (
        "Uploads after it are still accepted but marked late."
        if late_accepted
        else "Uploads after it are not accepted."
    )
    body = "\n".join(
        [
            f"Hello {_one_line(candidate_name)},",
            "",
            f"Your time for {_one_line(assignment_title)} ends in {left}, at {_when(deadline, tz_name)}.",
            after,
            "",
            "Upload what you have on the assignment page; you can upload again until the deadline,",
            "and the latest upload counts.",
            "",
        ]
    )
    return Notification(
        kind=NotificationKind.deadline_approaching,
        to=(candidate_email,),
        subject=f"{left} left: {_one_line(assignment_title)}",
        body=body,
        key=f"deadline-approaching:{invitation_id}:{deadline.isoformat()}",
    )


def submission_received(
    *,
    submission_id: int,
    candidate_name: str,
    candidate_email: str,
    assignment_title: str,
    received_at: datetime,
    version: int,
    late_by: timedelta | None = None,
    status_link: str | None = None,
    tz_name: str = "UTC",
) -> Notification:
    """The receipt for an upload."""
    title = _one_line(assignment_title)
    lines = [
        f"Hello {_one_line(candidate_name)},",
        "",
        f"We received version {version} of your submission for {title} at "
        f"{_when(received_at, tz_name)}.",
    ]
    if late_by is not None:
        lines.append(
            f"It arrived {format_duration(late_by)} after the deadline and is marked late."
        )
    lines += ["", "It is being checked and graded now; there is nothing more you need to do."]
    if status_link:
        lines += ["You can follow its status here:", status_link]
    return Notification(
        kind=NotificationKind.submission_received,
        to=(candidate_email,),
        subject=f"Submission received: {title} (version {version})",
        body="\n".join(lines) + "\n",
        key=f"submission-received:{submission_id}",
    )


def review_waiting(
    *,
    submission_id: int,
    assignment_title: str,
    candidate_label: str,
    waiting_since: datetime,
    now: datetime,
    reviewers: Sequence[str],
    report_link: str | None = None,
    tz_name: str = "UTC",
) -> Notification:
    """The nudge to reviewers. ``candidate_label`` respects anonymous review (``Candidate #12``)."""
    waited = format_duration(ensure_utc(now, "now") - ensure_utc(waiting_since, "waiting_since"))
    label = _one_line(candidate_label)
    lines = [
        f"The submission of {label} for {_one_line(assignment_title)} has waited {waited} for a "
        f"first review (graded {_when(waiting_since, tz_name)}).",
        "",
        "Strong candidates hold other offers; a quick look keeps them.",
    ]
    if report_link:
        lines += ["", report_link]
    return Notification(
        kind=NotificationKind.review_waiting,
        to=tuple(reviewers),
        subject=f"Waiting {waited} for review: {label}",
        body="\n".join(lines) + "\n",
        key=f"{REVIEW_WAITING_KEY}{submission_id}",
    )
