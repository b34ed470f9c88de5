"""The periodic ledger sweep: close finished time boxes, pay by the no-submission policy, remind.

One pass (``sweep``) is idempotent and takes ``now`` from an injected clock:

1. every open time box that can no longer receive an on-time upload (deadline passed, or the
   window to start expired unused) is closed: with nothing uploaded, the invitation's
   no-submission policy is applied (``payments.record_without_submission``); an invitation that
   expired unused is audited as such. ``closed_at`` marks it, so the next pass skips it;
2. the reminders that are due (``harness.notify.due``) are sent once each: deadline approaching
   for started candidates with nothing uploaded, and review waiting for graded submissions no
   reviewer has looked at.

``LedgerSweeper`` runs passes on a thread in the embedded worker process (``harness serve``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, exists, literal, or_, select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer, Role
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.invitations import terms as promised
from harness.invitations.models import Decision, Invitation
from harness.invitations.service import candidate_label
from harness.ledger.clock import Clock, ensure_utc
from harness.ledger.timebox import expired_unused, is_closed
from harness.notify.due import (
    DEFAULT_DEADLINE_WARNING,
    InvitationWatch,
    ReviewWait,
    due_notifications,
)
from harness.notify.messages import REVIEW_WAITING_KEY
from harness.notify.models import SentNotification
from harness.notify.notifier import Notifier
from harness.notify.outbox import deliver, sent_keys
from harness.payments import service as payments
from harness.settings import Settings
from harness.submissions.models import Note, Submission, SubmissionStatus

__all__ = ["LedgerSweeper", "SweepResult", "sweep"]

log = logging.getLogger(__name__)

_CLOSE_BATCH = 200
_REVIEW_NUDGES = 200
"""At most this many review-waiting messages per pass: a backlog is reported over several
passes instead of in one flood."""


@dataclass
class SweepResult:
    """What one pass did."""

    closed: list[int] = field(default_factory=list)
    """Invitations whose time box this pass closed."""
    expired: list[int] = field(default_factory=list)
    """Those of them that expired without the clock ever starting."""
    payments: list[int] = field(default_factory=list)
    """Payments recorded by the no-submission policy."""
    sent: list[str] = field(default_factory=list)
    """Keys of the notifications sent."""


def _titles(settings: Settings) -> dict[str, str]:
    from harness.assignments.loader import list_assignments

    try:
        return {a.spec.name: a.spec.title for a in list_assignments(settings)}
    except HarnessError:
        return {}


def _close(
    session: Session, settings: Settings, now: datetime, result: SweepResult, after_id: int
) -> int | None:
    """Close one batch of time boxes with ids above ``after_id``; the last id looked at, or
    ``None`` when there were no more to look at."""
    # A cheap superset in SQL (the stored deadline, or the window's end before extensions);
    # the exact rule, with extensions, is applied below.
    rows = session.scalars(
        select(Invitation)
        .where(
            Invitation.id > after_id,
            Invitation.closed_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.window_ends_at.is_not(None),
            Invitation.time_box_hours.is_not(None),
            or_(
                and_(Invitation.started_at.is_not(None), Invitation.deadline_at < now),
                and_(Invitation.started_at.is_(None), Invitation.window_ends_at < now),
            ),
        )
        .order_by(Invitation.id)
        .limit(_CLOSE_BATCH)
    ).all()
    for invitation in rows:
        policy = promised.policy_fallback(settings, invitation)
        state = promised.state_of(invitation, policy)
        if not is_closed(now, state):
            continue
        invitation.closed_at = now
        result.closed.append(invitation.id)
        uploaded = session.scalar(select(exists().where(Submission.invitation_id == invitation.id)))
        if not uploaded:
            paid = payments.record_without_submission(session, invitation, now)
            if paid is not None:
                result.payments.append(paid.id)
        if expired_unused(now, state):
            result.expired.append(invitation.id)
            audit.record(
                session,
                "invitation.expired",
                actor="system",
                object_type="invitation",
                object_id=invitation.id,
                window_ended=state.effective_window_end.isoformat(),
            )
    return rows[-1].id if rows else None


def _watches(
    session: Session, now: datetime, warning: timedelta, titles: dict[str, str]
) -> list[InvitationWatch]:
    rows = session.scalars(
        select(Invitation).where(
            Invitation.revoked_at.is_(None),
            Invitation.started_at.is_not(None),
            Invitation.deadline_at >= now,
            Invitation.deadline_at <= now + warning,
            ~exists().where(Submission.invitation_id == Invitation.id),
        )
    ).all()
    return [
        InvitationWatch(
            invitation_id=inv.id,
            candidate_name=inv.candidate.name,
            candidate_email=inv.candidate.email,
            assignment_title=titles.get(inv.assignment_name, inv.assignment_name),
            timebox=promised.state_of(inv),
            submitted=False,
            tz_name=inv.time_zone or "UTC",
        )
        for inv in rows
        if promised.is_timed(inv)
    ]


def _waiting(
    session: Session, settings: Settings, cutoff: datetime, titles: dict[str, str]
) -> list[ReviewWait]:
    """Graded, counting submissions of undecided candidates no reviewer has looked at."""
    noted = select(Submission.invitation_id).join(Note, Note.submission_id == Submission.id)
    decided = select(Decision.invitation_id)
    rows = session.execute(
        select(Submission, Invitation)
        .join(Invitation, Invitation.id == Submission.invitation_id)
        .where(
            Submission.status == SubmissionStatus.graded.value,
            Submission.graded_at.is_not(None),
            Submission.graded_at <= cutoff,
            Invitation.first_reviewed_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.id.not_in(noted),
            Invitation.id.not_in(decided),
            ~exists().where(
                SentNotification.key == literal(REVIEW_WAITING_KEY) + cast(Submission.id, String)
            ),
        )
        .order_by(Submission.invitation_id, Submission.version)
        .limit(_REVIEW_NUDGES)
    ).all()
    latest: dict[int, tuple[Submission, Invitation]] = {}
    for sub, inv in rows:
        if inv.selected_submission_id in (None, sub.id):
            latest[inv.id] = (sub, inv)
    base = settings.public_url.rstrip("/")
    out = []
    for sub, inv in latest.values():
        assert sub.graded_at is not None
        out.append(
            ReviewWait(
                submission_id=sub.id,
                assignment_title=titles.get(inv.assignment_name, inv.assignment_name),
                candidate_label=candidate_label(inv),
                waiting_since=sub.graded_at,
                report_link=f"{base}/submissions/{sub.id}",
            )
        )
    return out


def _reviewer_addresses(session: Session) -> list[str]:
    """Who is nudged about reports waiting for review: active reviewers and admins (payroll
    accounts do not review)."""
    return sorted(
        session.scalars(
            select(Reviewer.email).where(
                Reviewer.active.is_(True),
                Reviewer.role.in_([Role.reviewer.value, Role.admin.value]),
            )
        )
    )


def sweep(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    notifier: Notifier,
    deadline_warning: timedelta = DEFAULT_DEADLINE_WARNING,
) -> SweepResult:
    """One pass of the sweep at ``now`` (see the module docstring). Safe to run concurrently
    with another process: closing takes the write lock, and each message key is sent once."""
    now = ensure_utc(now, "now")
    result = SweepResult()
    last: int | None = 0
    while last is not None:  # in batches: the write lock is held briefly, uploads go between
        with db.session(write=True) as session:
            last = _close(session, settings, now, result, last)
    titles = _titles(settings)
    alert = timedelta(hours=settings.review_wait_alert_hours)
    with db.session() as session:
        watches = _watches(session, now, deadline_warning, titles)
        waiting = _waiting(session, settings, now - alert, titles)
        reviewers = _reviewer_addresses(session) if waiting else []
        candidates = due_notifications(
            now,
            watches,
            waiting,
            already_sent=frozenset(),
            reviewers=reviewers,
            review_wait_alert=alert,
            deadline_warning=deadline_warning,
        )
        sent = sent_keys(session, [n.key for n in candidates])
    for note in candidates:
        if note.key not in sent and deliver(db, notifier, note, now):
            result.sent.append(note.key)
    return result


class LedgerSweeper:
    """Runs ``sweep`` every ``interval_s`` seconds on a daemon thread (``start``/``stop``), or
    once on demand (``run_once``, which tests call with a moved clock)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        notifier: Notifier,
        *,
        interval_s: float = 60.0,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.notifier = notifier
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> SweepResult:
        return sweep(self.db, self.settings, now=self.clock.now(), notifier=self.notifier)

    def start(self) -> None:
        if self._thread is not None or self.interval_s <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ledger-sweep", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                result = self.run_once()
            except Exception:
                log.exception("ledger sweep failed; trying again next interval")
                continue
            if result.closed or result.sent:
                log.info(
                    "ledger sweep: closed %d time box(es), %d expired unused, %d payment(s), "
                    "%d notification(s) sent",
                    len(result.closed),
                    len(result.expired),
                    len(result.payments),
                    len(result.sent),
                )
