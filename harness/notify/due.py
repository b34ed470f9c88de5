"""Which time-driven reminders are due now. Pure: the caller sends them and records their keys.

Event-driven messages (invitation sent, submission received) are built where the event happens;
this module decides the two that depend on the clock:

- *deadline approaching*: the clock runs, nothing was submitted, and the deadline is at most
  ``deadline_warning`` (1 hour) away. One per deadline: an extension earns a fresh reminder.
  If the service was down through the whole warning period, no reminder is sent after the
  deadline (it would only confuse).
- *review waiting*: a graded submission has waited ``review_wait_alert``
  (``Settings.review_wait_alert_hours``) or more for its first review. Once per submission.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from harness.ledger.clock import ensure_utc
from harness.ledger.timebox import LatePolicy, TimeBoxState
from harness.notify.messages import Notification, deadline_approaching, review_waiting

__all__ = ["DEFAULT_DEADLINE_WARNING", "InvitationWatch", "ReviewWait", "due_notifications"]

DEFAULT_DEADLINE_WARNING = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class InvitationWatch:
    """What the reminder logic needs to know about one invitation."""

    invitation_id: int
    candidate_name: str
    candidate_email: str
    assignment_title: str
    timebox: TimeBoxState
    submitted: bool
    """At least one upload exists (then no deadline reminder)."""
    tz_name: str = "UTC"
    """The candidate's time zone, when known."""


@dataclass(frozen=True, slots=True)
class ReviewWait:
    """A graded submission nobody has reviewed yet."""

    submission_id: int
    assignment_title: str
    candidate_label: str
    """Name, or ``Candidate #id`` under anonymous review."""
    waiting_since: datetime
    """When it was graded (UTC)."""
    report_link: str | None = None


def due_notifications(
    now: datetime,
    invitations: Iterable[InvitationWatch],
    waiting: Iterable[ReviewWait] = (),
    *,
    already_sent: Set[str],
    reviewers: Sequence[str] = (),
    review_wait_alert: timedelta = timedelta(hours=72),
    deadline_warning: timedelta = DEFAULT_DEADLINE_WARNING,
) -> list[Notification]:
    """The reminders due at ``now`` whose keys are not in ``already_sent``.

    Review alerts go to ``reviewers``; with no reviewer address there is nobody to tell, and the
    dashboard's flag is the only signal.
    """
    now = ensure_utc(now, "now")
    due: list[Notification] = []
    for watch in invitations:
        deadline = watch.timebox.deadline
        if (
            watch.submitted
            or deadline is None
            or not deadline - deadline_warning <= now <= deadline
        ):
            continue
        note = deadline_approaching(
            invitation_id=watch.invitation_id,
            candidate_name=watch.candidate_name,
            candidate_email=watch.candidate_email,
            assignment_title=watch.assignment_title,
            deadline=deadline,
            now=now,
            late_accepted=watch.timebox.terms.late == LatePolicy.accept,
            tz_name=watch.tz_name,
        )
        if note.key not in already_sent:
            due.append(note)
    if reviewers:
        for wait in waiting:
            if now - ensure_utc(wait.waiting_since, "waiting_since") < review_wait_alert:
                continue
            note = review_waiting(
                submission_id=wait.submission_id,
                assignment_title=wait.assignment_title,
                candidate_label=wait.candidate_label,
                waiting_since=wait.waiting_since,
                now=now,
                reviewers=reviewers,
                report_link=wait.report_link,
            )
            if note.key not in already_sent:
                due.append(note)
    return due
