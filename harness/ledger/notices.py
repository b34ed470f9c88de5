"""The event notifications of the time box, built from rows: invitation sent, submission received.

They are built inside the transaction that made the event and sent after it commits
(``harness.notify.outbox.deliver``), so a rolled-back invitation never e-mails a dead link.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from harness.invitations.models import Invitation
from harness.ledger import service as timebox_service
from harness.ledger.pay import describe_pay
from harness.notify.messages import Notification, invitation_sent, submission_received

__all__ = ["assignment_title", "invitation_notice", "receipt_notice"]

log = logging.getLogger(__name__)


def assignment_title(invitation: Invitation, titles: dict[str, str] | None = None) -> str:
    """The assignment's title when known (``titles`` by name), else its name."""
    return (titles or {}).get(invitation.assignment_name, invitation.assignment_name)


def invitation_notice(
    invitation: Invitation, link: str, *, title: str | None = None
) -> Notification | None:
    """The invitation e-mail with the candidate's link; ``None`` for an untimed invitation."""
    if not timebox_service.is_timed(invitation):
        return None
    state = timebox_service.state_of(invitation)
    terms = timebox_service.pay_terms_of(invitation)
    try:
        return invitation_sent(
            invitation_id=invitation.id,
            candidate_name=invitation.candidate.name,
            candidate_email=invitation.candidate.email,
            assignment_title=title or invitation.assignment_name,
            link=link,
            time_box_hours=state.terms.time_box_hours,
            window_ends_at=state.effective_window_end,
            pay=describe_pay(terms) if terms else None,
            tz_name=invitation.time_zone or "UTC",
        )
    except ValueError as exc:  # an address the mailer refuses: say so, do not fail the invite
        log.warning("no invitation e-mail for invitation %s: %s", invitation.id, exc)
        return None


def receipt_notice(
    invitation: Invitation,
    *,
    submission_id: int,
    version: int,
    received_at: datetime,
    late_by: timedelta | None,
    status_link: str | None,
    title: str | None = None,
) -> Notification | None:
    """The receipt for one upload (``None`` when the address cannot be mailed)."""
    try:
        return submission_received(
            submission_id=submission_id,
            candidate_name=invitation.candidate.name,
            candidate_email=invitation.candidate.email,
            assignment_title=title or invitation.assignment_name,
            received_at=received_at,
            version=version,
            late_by=late_by,
            status_link=status_link,
            tz_name=invitation.time_zone or "UTC",
        )
    except ValueError as exc:
        log.warning("no receipt e-mail for submission %s: %s", submission_id, exc)
        return None
