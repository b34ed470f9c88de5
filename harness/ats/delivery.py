"""Completion callbacks to the ATS: due when a test completes, retried with back-off, every
attempt recorded.

When grading of the upload that counts finishes (graded or rejected), its test's callback
becomes due and one attempt is made at once. A failed attempt (no answer, a timeout, a 5xx,
408 or 429) is retried after 1, 5 and 30 minutes, 2, 6, 12 and 24 hours; another 4xx is not
retried (the ATS refused it for good). The ATS still polls the status meanwhile, so a callback
that never arrives delays the news, it does not lose it. Attempts are claimed with a
compare-and-set on the due time, so two processes never send the same attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from harness.ats.keys import derive_key
from harness.ats.models import AtsAssessment, AtsCallbackAttempt, AtsIntegration
from harness.ats.registry import adapter_for
from harness.db.engine import Database
from harness.ledger.clock import Clock
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import counting_submission_id

__all__ = [
    "BACKOFF",
    "CallbackDeliverer",
    "Delivery",
    "deliver_due",
    "make_completion_hook",
    "mark_completed",
]

log = logging.getLogger(__name__)

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
"""Waits after the 1st, 2nd, ... failed attempt; after the last one the callback has failed."""
_LEASE = timedelta(minutes=2)
_TIMEOUT_S = 10.0
_DONE = (SubmissionStatus.graded.value, SubmissionStatus.rejected.value)


def mark_completed(session: Session, submission_id: int, now: datetime) -> int | None:
    """Make the callback of the submission's test due, when it is the upload that counts and
    its grading ended. Returns the assessment's id, or None when there is nothing to tell."""
    sub = session.get(Submission, submission_id)
    if sub is None or sub.status not in _DONE:
        return None
    row = session.scalar(
        select(AtsAssessment).where(AtsAssessment.invitation_id == sub.invitation_id)
    )
    if row is None or not row.callback_url:
        return None
    integration = session.get(AtsIntegration, row.integration_id)
    if integration is None or integration.revoked_at is not None:
        return None
    if counting_submission_id(session, sub.invitation) != sub.id:
        return None
    row.callback_state, row.callback_due_at = "pending", now
    row.callback_failures, row.notified_submission_id = 0, sub.id
    return row.id


@dataclass(frozen=True)
class Delivery:
    """One attempt's outcome."""

    assessment_id: int
    attempt: int
    status_code: int | None
    ok: bool
    error: str


def _claim(db: Database, now: datetime, only: int | None, limit: int) -> list[int]:
    """Take due callbacks by pushing their due time past a lease (compare-and-set)."""
    with db.session(write=True) as session:
        query = (
            select(AtsAssessment.id, AtsAssessment.callback_due_at)
            .join(AtsIntegration, AtsIntegration.id == AtsAssessment.integration_id)
            .where(
                AtsAssessment.callback_state == "pending",
                AtsAssessment.callback_due_at <= now,
                AtsIntegration.revoked_at.is_(None),
            )
            .order_by(AtsAssessment.callback_due_at)
            .limit(limit)
        )
        if only is not None:
            query = query.where(AtsAssessment.id == only)
        taken = []
        for assessment_id, due in session.execute(query).all():
            result = session.execute(
                update(AtsAssessment)
                .where(AtsAssessment.id == assessment_id, AtsAssessment.callback_due_at == due)
                .values(callback_due_at=now + _LEASE)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                taken.append(assessment_id)
        return taken


def _send(
    settings: Settings, row: AtsAssessment, integration: AtsIntegration, now: datetime
) -> tuple[int | None, str, int]:
    key = derive_key(settings.secret_key, integration.key_salt)
    call = adapter_for(integration.provider).completion_call(row.callback_url or "", key, now)
    started = time.monotonic()
    try:
        response = httpx.request(
            call.method,
            call.url,
            headers=call.headers,
            content=call.body,
            timeout=_TIMEOUT_S,
            follow_redirects=False,
        )
        code, error = response.status_code, "" if response.is_success else response.text[:500]
    except httpx.HTTPError as exc:
        code, error = None, f"{type(exc).__name__}: {exc}"[:500]
    return code, error, int((time.monotonic() - started) * 1000)


def _retriable(code: int | None) -> bool:
    return code is None or code >= 500 or code in (408, 429)


def _attempt(
    db: Database, settings: Settings, assessment_id: int, now: datetime
) -> Delivery | None:
    with db.session() as session:
        row = session.get(AtsAssessment, assessment_id)
        integration = session.get(AtsIntegration, row.integration_id) if row else None
    if row is None or integration is None:
        return None
    code, error, ms = _send(settings, row, integration, now)
    ok = code is not None and 200 <= code < 300
    with db.session(write=True) as session:
        fresh = session.get(AtsAssessment, assessment_id)
        if fresh is None:  # erased meanwhile
            return None
        failures = 0 if ok else fresh.callback_failures + 1
        retry = not ok and _retriable(code) and failures <= len(BACKOFF)
        next_at = now + BACKOFF[failures - 1] if retry else None
        attempt = (
            len(
                session.scalars(
                    select(AtsCallbackAttempt.id).where(
                        AtsCallbackAttempt.assessment_id == assessment_id
                    )
                ).all()
            )
            + 1
        )
        session.add(
            AtsCallbackAttempt(
                assessment_id=assessment_id,
                attempt=attempt,
                at=now,
                status_code=code,
                error=error,
                duration_ms=ms,
                next_attempt_at=next_at,
            )
        )
        fresh.callback_failures = failures
        fresh.callback_state = "delivered" if ok else "pending" if retry else "failed"
        fresh.callback_due_at = next_at
    if not ok:
        log.warning("ATS callback of test %s failed (%s): %s", assessment_id, code, error[:200])
    return Delivery(assessment_id, attempt, code, ok, error)


def deliver_due(
    db: Database, settings: Settings, now: datetime, *, only: int | None = None, limit: int = 50
) -> list[Delivery]:
    """Attempt every callback that is due (or just ``only``'s)."""
    out = []
    for assessment_id in _claim(db, now, only, limit):
        done = _attempt(db, settings, assessment_id, now)
        if done is not None:
            out.append(done)
    return out


def make_completion_hook(
    db: Database, settings: Settings, clock: Clock
) -> Callable[[int, str], None]:
    """A finished-callback for the grading runtime: mark the test complete and try once now."""

    def on_finished(submission_id: int, status: str) -> None:
        if status not in _DONE:
            return
        now = clock.now()
        with db.session(write=True) as session:
            assessment_id = mark_completed(session, submission_id, now)
        if assessment_id is not None:
            deliver_due(db, settings, now, only=assessment_id)

    return on_finished


class CallbackDeliverer:
    """Retries due callbacks every ``interval_s`` seconds on a daemon thread."""

    def __init__(
        self, db: Database, settings: Settings, clock: Clock, *, interval_s: float
    ) -> None:
        self.db, self.settings, self.clock, self.interval_s = db, settings, clock, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[Delivery]:
        return deliver_due(self.db, self.settings, self.clock.now())

    def start(self) -> None:
        if self._thread is not None or self.interval_s <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ats-callbacks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:
                log.exception("ATS callback pass failed; trying again next interval")
