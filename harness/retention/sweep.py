"""The retention sweep: apply each assignment's ``[retention]`` policy, daily.

An invitation's retention clock starts at its latest decision; without one, at its revocation,
or when its time box closed with nothing uploaded (an undecided candidate with uploads waits for
a decision: the dashboard already flags them). Past ``archives_days`` its archives go, past
``reports_days`` its reports' logs, findings and notebooks (the scores stay), past
``personal_days`` the candidate's seat is erased (``harness.retention.erase``), leaving
anonymous figures. Each pass also deletes files no row names any more. Idempotent: a second
pass finds nothing new to do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harness.assignments.loader import list_assignments
from harness.assignments.spec import Retention
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.invitations.models import Decision, Invitation
from harness.ledger.clock import Clock, ensure_utc
from harness.privacy.holders import FileSink, Subject
from harness.retention.erase import ErasureBlocked, erase
from harness.retention.files import FilesDeleted, collect_leftovers, delete_files
from harness.retention.subject import subject_for_invitations
from harness.review.privacy import purge_finding_copies
from harness.settings import Settings
from harness.submissions.models import Submission
from harness.submissions.privacy import purge_archives, purge_reports

__all__ = ["Due", "RetentionResult", "RetentionSweeper", "due", "retention_sweep"]

log = logging.getLogger(__name__)


@dataclass
class Due:
    """Invitations whose data a policy says must go now."""

    archives: list[int] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)
    personal: list[int] = field(default_factory=list)


@dataclass
class RetentionResult:
    due: Due = field(default_factory=Due)
    archives: int = 0
    """Uploads whose archive was deleted."""
    reports: int = 0
    """Reports whose logs, findings and notebooks were deleted."""
    erased: list[str] = field(default_factory=list)
    """References of the erasures made."""
    blocked: dict[int, str] = field(default_factory=dict)
    """Invitations due for erasure that must wait, and why."""
    files: FilesDeleted = field(default_factory=FilesDeleted)


def _clock_starts(session: Session) -> list[tuple[int, str, datetime]]:
    """``(invitation id, assignment, when its retention clock started)`` of every invitation
    whose clock has started."""
    decided = dict(
        session.execute(
            select(Decision.invitation_id, func.max(Decision.created_at)).group_by(
                Decision.invitation_id
            )
        ).all()
    )
    uploaded = set(session.scalars(select(Submission.invitation_id).distinct()))
    out = []
    rows = session.execute(
        select(
            Invitation.id, Invitation.assignment_name, Invitation.revoked_at, Invitation.closed_at
        )
    )
    for inv_id, assignment, revoked, closed in rows:
        start = decided.get(inv_id) or revoked or (closed if inv_id not in uploaded else None)
        if start is not None:
            out.append((inv_id, assignment, start))
    return out


def _policies(settings: Settings) -> dict[str, Retention]:
    try:
        return {a.spec.name: a.spec.retention for a in list_assignments(settings)}
    except HarnessError as exc:
        log.error("retention: could not list assignments (%s); using default policies", exc.message)
        return {}


def _past(age: timedelta, days: int) -> bool:
    return days > 0 and age >= timedelta(days=days)


def due(session: Session, settings: Settings, now: datetime) -> Due:
    """What the policies say must go at ``now`` (nothing is changed)."""
    policies = _policies(settings)
    out = Due()
    for inv_id, assignment, start in _clock_starts(session):
        policy = policies.get(assignment, Retention())
        age = now - start
        if _past(age, policy.personal_days):
            out.personal.append(inv_id)
            continue
        if _past(age, policy.reports_days):
            out.reports.append(inv_id)
        if _past(age, policy.archives_days):
            out.archives.append(inv_id)
    return out


def _purge(
    db: Database, settings: Settings, todo: Due, now: datetime, result: RetentionResult
) -> None:
    sink = FileSink()
    with db.session(write=True) as session:
        result.archives = purge_archives(session, todo.archives, sink)
        result.reports = purge_reports(session, settings, todo.reports, sink, now)
        purge_finding_copies(session, todo.reports)
        if result.archives or result.reports:
            audit.record(
                session,
                "retention.purge",
                actor="retention",
                object_type="retention",
                archives=result.archives,
                reports=result.reports,
            )
    result.files = delete_files(db, settings, sink)


def _seat(invitation_id: int) -> Callable[[Session], Subject]:
    return lambda session: subject_for_invitations(session, [invitation_id])


def retention_sweep(
    db: Database, settings: Settings, now: datetime, *, dry_run: bool = False
) -> RetentionResult:
    """One pass (see the module docstring); ``dry_run`` only says what is due."""
    now = ensure_utc(now, "now")
    result = RetentionResult()
    with db.session() as session:
        result.due = due(session, settings, now)
    if dry_run:
        return result
    _purge(db, settings, result.due, now, result)
    for inv_id in result.due.personal:
        try:
            receipt = erase(
                db,
                settings,
                _seat(inv_id),
                actor="retention",
                reason="retention",
                now=now,
            )
        except ErasureBlocked as exc:
            result.blocked[inv_id] = exc.message
            continue
        result.erased.append(receipt.reference)
        result.files.files += receipt.files.files
        result.files.blobs += receipt.files.blobs
        result.files.blobs_shared += receipt.files.blobs_shared
    result.files.files += collect_leftovers(db, settings).files
    return result


class RetentionSweeper:
    """Runs ``retention_sweep`` on a daemon thread: a minute after start, then every
    ``interval_s`` seconds."""

    def __init__(
        self, db: Database, settings: Settings, clock: Clock, *, interval_s: float
    ) -> None:
        self.db, self.settings, self.clock, self.interval_s = db, settings, clock, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> RetentionResult:
        return retention_sweep(self.db, self.settings, self.clock.now())

    def start(self) -> None:
        if self._thread is not None or self.interval_s <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="retention-sweep", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        wait = min(60.0, self.interval_s)
        while not self._stop.wait(wait):
            wait = self.interval_s
            try:
                result = self.run_once()
            except Exception:
                log.exception("retention sweep failed; trying again next interval")
                continue
            log.info(
                "retention sweep: %d archive(s), %d report(s), %d erasure(s), %d blocked, "
                "%d file(s) deleted",
                result.archives,
                result.reports,
                len(result.erased),
                len(result.blocked),
                result.files.files + result.files.blobs,
            )
