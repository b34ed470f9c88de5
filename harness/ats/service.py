"""What an ATS asks of the harness, in neutral terms (its adapter speaks the contract).

- the tests on offer: the harness's assignments;
- send a test: invite the candidate (``harness.invitations.service.invite``) and e-mail the link;
  a repeated send with the same test, address and callback URL returns the same id and invites
  nobody twice;
- a test's status: from the invitation and the upload that counts;
- a report that one of our answers did not validate.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from harness.assignments.loader import list_assignments, load_assignment
from harness.ats.adapter import (
    AssessmentState,
    AssessmentStatus,
    AtsRequestInvalid,
    Offer,
    SendRequest,
)
from harness.ats.models import AtsAssessment, AtsErrorReport, AtsIntegration
from harness.ats.registry import adapter_for
from harness.audit import service as audit
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Invitation
from harness.invitations.service import invite
from harness.notify.messages import Notification
from harness.settings import Environment, Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import counting_submission_id

__all__ = [
    "Sent",
    "list_tests",
    "record_error_report",
    "send_test",
    "status_answer",
    "status_of",
]

_DONE = (SubmissionStatus.graded.value, SubmissionStatus.rejected.value)


def list_tests(settings: Settings, integration: AtsIntegration) -> Any:
    """The assignments on offer, in the integration's contract."""
    offers = [
        Offer(a.spec.name, a.spec.title, " ".join(a.spec.summary.split()))
        for a in list_assignments(settings)
    ]
    return adapter_for(integration.provider).tests_body(offers)


def _check_callback(settings: Settings, url: str | None) -> None:
    """A callback URL must be HTTP(S) on a host the settings allow (loopback too outside
    production): an integration key must not make the harness call arbitrary hosts."""
    if url is None:
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = {h.strip().lower() for h in settings.ats_callback_hosts.split(",") if h.strip()}
    loopback = False
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme not in ("https", "http") or not host:
        raise AtsRequestInvalid("the callback 'url' must be an http(s) URL")
    if parts.scheme == "http" and not loopback:
        raise AtsRequestInvalid("the callback 'url' must use https")
    if host in allowed or (loopback and settings.environment != Environment.production):
        return
    raise AtsRequestInvalid(
        f"the callback host {host!r} is not allowed (HARNESS_ATS_CALLBACK_HOSTS)"
    )


def _request_key(request: SendRequest) -> str:
    parts = [request.test_id, request.email.strip().lower(), request.callback_url or ""]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Sent:
    """The answer to a send, and the e-mail with the link (``None`` for a repeated send)."""

    body: Any
    notice: Notification | None
    created: bool


def _existing(session: Session, integration: AtsIntegration, key: str) -> AtsAssessment | None:
    return session.scalar(
        select(AtsAssessment).where(
            AtsAssessment.integration_id == integration.id, AtsAssessment.request_key == key
        )
    )


def send_test(
    session: Session,
    settings: Settings,
    integration: AtsIntegration,
    body: Any,
    *,
    now: datetime,
    link_for: Callable[[str], str],
) -> Sent:
    """Invite the candidate the ATS names to the test it chose (idempotent)."""
    adapter = adapter_for(integration.provider)
    request = adapter.parse_send(body)
    _check_callback(settings, request.callback_url)
    key = _request_key(request)
    found = _existing(session, integration, key)
    if found is not None:
        return Sent(adapter.sent_body(found.public_id), None, created=False)
    try:
        spec = load_assignment(request.test_id, settings).spec
    except HarnessError:
        raise AtsRequestInvalid(f"there is no test {request.test_id!r}; see list_tests") from None
    try:
        with session.begin_nested():  # a concurrent identical send loses on the unique key
            invited = invite(
                session,
                spec,
                name=f"{request.first_name} {request.last_name}",
                email=request.email,
                actor=f"ats:{integration.name}"[:320],
                link_for=link_for,
                now=now,
            )
            row = AtsAssessment(
                integration_id=integration.id,
                public_id=secrets.token_urlsafe(18),
                invitation_id=invited.invitation.id,
                test_id=spec.name,
                request_key=key,
                callback_url=request.callback_url,
                created_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        found = _existing(session, integration, key)
        if found is None:
            raise
        return Sent(adapter.sent_body(found.public_id), None, created=False)
    audit.record(
        session,
        "ats.send_test",
        actor=f"ats:{integration.name}"[:320],
        object_type="invitation",
        object_id=invited.invitation.id,
        integration=integration.id,
        test=spec.name,
    )
    return Sent(adapter.sent_body(row.public_id), invited.notice, created=True)


def status_of(session: Session, settings: Settings, invitation: Invitation) -> AssessmentStatus:
    """The test's state from the invitation and the upload that counts."""
    if invitation.revoked_at is not None:
        return AssessmentStatus(AssessmentState.cancelled, started_at=invitation.started_at)
    counting = counting_submission_id(session, invitation)
    sub = session.get(Submission, counting) if counting is not None else None
    if sub is None and invitation.closed_at is not None:
        # Only rejected uploads, and no more can come: the test is complete, as rejected
        # (while the box is open a rejected upload never counts: the candidate may upload again).
        sub = next(iter(reversed(SubmissionRepository(session).versions_of(invitation.id))), None)
    if sub is None:
        state = (
            AssessmentState.expired
            if invitation.closed_at is not None
            else AssessmentState.started
            if invitation.started_at is not None
            else AssessmentState.sent
        )
        return AssessmentStatus(state, started_at=invitation.started_at)
    uploads = len(SubmissionRepository(session).versions_of(invitation.id))
    base = settings.public_url.rstrip("/")
    done = sub.status in _DONE
    return AssessmentStatus(
        AssessmentState.complete if done else AssessmentState.submitted,
        score=sub.overall_score if done else None,
        report_url=f"{base}/submissions/{sub.id}",
        started_at=invitation.started_at,
        submitted_at=sub.created_at,
        completed_at=sub.graded_at if done else None,
        details={"result": sub.status if done else None, "uploads": uploads, "late": sub.late},
    )


def status_answer(
    session: Session, settings: Settings, integration: AtsIntegration, public_id: str | None
) -> Any:
    """The status of one of this integration's tests, in its contract."""
    if not public_id or len(public_id) > 40:
        raise AtsRequestInvalid("test_status needs the 'partner_interview_id' query parameter")
    row = session.scalar(
        select(AtsAssessment).where(
            AtsAssessment.public_id == public_id, AtsAssessment.integration_id == integration.id
        )
    )
    invitation = session.get(Invitation, row.invitation_id) if row is not None else None
    if row is None or invitation is None:
        raise NotFound(f"no test {public_id!r} for this key (unknown, or its candidate was erased)")
    return adapter_for(integration.provider).status_body(status_of(session, settings, invitation))


def record_error_report(
    session: Session, integration: AtsIntegration, body: Any, *, now: datetime
) -> AtsErrorReport:
    """Keep what the ATS says was wrong with one of our answers (never the candidate's
    address it may include)."""
    report = adapter_for(integration.provider).parse_error_report(body)
    row = AtsErrorReport(
        integration_id=integration.id,
        received_at=now,
        api_call=report.api_call,
        errors=report.errors,
        public_id=report.public_id,
    )
    session.add(row)
    session.flush()
    return row
